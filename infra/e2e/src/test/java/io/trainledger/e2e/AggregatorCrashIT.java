package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import io.trainledger.testing.EmbeddedStackExtension;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.audit.TorAudit;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6: kill -9 of the real tor-aggregator process while ledgers stream in, then the supervisor's restart. Under
 * exactly_once_v2 nothing is counted twice: every run's last report equals the audit (the fold of its whole ledger,
 * field by field, doubles bit for bit), and every report ever committed to {@code trainledger.tor} is exactly the
 * fold of a prefix of its run's ledger. The ledgers are libs/tor-core's simulated runs (failures, stragglers,
 * duplicates, reordering), produced at a steady rate.
 */
@ExtendWith(EmbeddedStackExtension.class)
class AggregatorCrashIT {
    private static final String T = "aggregator-kill";
    private static final int RUNS = 4;

    private static ServiceFleet fleet;
    private static StackConnection stack;

    @BeforeAll
    static void start(StackConnection s) {
        stack = s;
        fleet = new ServiceFleet(s, T);
        fleet.startAggregator("tor-aggregator", RestartPolicy.onFailure());
        fleet.awaitReady("tor-aggregator", Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void killedMidStreamTheAggregatorStillReportsExactlyTheAudit() throws Exception {
        Map<String, List<RunEvent>> ledgers = new HashMap<>();
        String prefix = Runs.newId("e2e-sim");
        for (int i = 0; i < RUNS; i++) {
            String runId = prefix + "-" + i;
            ledgers.put(runId, FailureSimulator.builder().seed(100 + i).runId(runId).steps(600).idealStepSeconds(1.0)
                    .stepJitter(0.05).checkpointEverySteps(50).checkpointStall(Distribution.constant(2))
                    .init(Distribution.constant(5)).restore(Distribution.constant(3))
                    .failure(FailureType.CRASH, 400, Distribution.constant(5), Distribution.exponential(10))
                    .failure(FailureType.NAN_LOSS, 600, Distribution.constant(1), Distribution.constant(2))
                    .straggler(900, 3.0, Distribution.constant(60), Distribution.constant(10))
                    .duplicates(0.01).reordering(0.02, 1.0)
                    .build().events());
        }
        int total = ledgers.values().stream().mapToInt(List::size).sum();
        E2e.figure(T, "simulated ledger", RUNS + " runs, " + total + " events");

        // Interleave the runs and produce at a steady pace so that the kill lands mid-stream.
        List<ProducerRecord<String, RunEvent>> records = new ArrayList<>();
        int longest = ledgers.values().stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (Map.Entry<String, List<RunEvent>> run : ledgers.entrySet()) {
                if (i < run.getValue().size()) {
                    records.add(new ProducerRecord<>(Topics.RUN_EVENTS.name(), run.getKey(), run.getValue().get(i)));
                }
            }
        }
        AtomicInteger sent = new AtomicInteger();
        long killAfter = records.size() * 2L / 5;
        long pid;
        long killedAt;
        try (KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5),
                Topics.RUN_EVENTS.keySerde().serializer(), Topics.RUN_EVENTS.valueSerde(stack.registry()).serializer())) {
            int batch = 40;
            for (int i = 0; i < killAfter; i += batch) {
                sendBatch(producer, records, i, batch, sent);
            }
            // The aggregator has folded part of the stream and committed reports: kill it now.
            await("reports before the kill").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> reports(ledgers.keySet()).values().stream().mapToInt(List::size).sum() >= RUNS);
            pid = fleet.kill("tor-aggregator");
            killedAt = System.nanoTime();
            for (int i = (int) killAfter; i < records.size(); i += batch) {
                sendBatch(producer, records, i, batch, sent);
            }
        }
        long newPid = fleet.awaitRestarted("tor-aggregator", pid, Duration.ofSeconds(30));
        fleet.awaitReady("tor-aggregator", Duration.ofMinutes(3));
        E2e.figure(T, "kill", String.format(Locale.ROOT, "pid %d killed after %d of %d events; restarted as pid %d, "
                + "ready %.1f s after the kill", pid, killAfter, records.size(), newPid,
                (System.nanoTime() - killedAt) / 1e9));

        LedgerAudit audit = new LedgerAudit(stack.bootstrapServers(), stack.registry());
        Map<String, TorAudit.Result> results = new HashMap<>();
        await("every run's latest report equals the audit of its whole ledger").atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(2)).until(() -> {
                    for (String runId : ledgers.keySet()) {
                        results.put(runId, audit.audit(runId, Duration.ofSeconds(30)).result());
                    }
                    return results.values().stream().allMatch(TorAudit.Result::matchesWholeLedger);
                });
        long catchUp = System.nanoTime() - killedAt;
        for (TorAudit.Result r : results.values()) {
            assertThat(r.differences()).as("audit of %s", r.runId()).isEmpty();
            assertThat(r.ledgerEvents()).isPositive();
        }

        // Every committed report is the exact fold of a prefix of its ledger: a retried transaction left no trace.
        Ledger reader = new Ledger(stack);
        Map<String, List<RunEvent>> onLedger = reader.readRuns(List.copyOf(ledgers.keySet()));
        reader.close();
        Map<String, List<TorReport>> all = reports(ledgers.keySet());
        int checked = 0;
        for (Map.Entry<String, List<TorReport>> e : all.entrySet()) {
            long previous = -1;
            for (TorReport report : e.getValue()) {
                TorAudit.Result r = TorAudit.audit(e.getKey(), onLedger.get(e.getKey()), report);
                assertThat(r.differences()).as("report of %s at %d events", e.getKey(), report.getEventsFolded())
                        .isEmpty();
                assertThat(report.getEventsFolded()).as("reports of %s move forward", e.getKey())
                        .isGreaterThanOrEqualTo(previous);
                previous = report.getEventsFolded();
                checked++;
            }
        }
        assertThat(fleet.supervisor().restarts("tor-aggregator")).isEqualTo(1);
        E2e.figure(T, "audit", results.values().stream().map(r -> r.runId() + "=" + r.ledgerEvents() + " events")
                .toList() + " all identical; caught up " + String.format(Locale.ROOT, "%.1f s", catchUp / 1e9)
                + " after the kill");
        E2e.figure(T, "committed reports checked against ledger prefixes", Integer.toString(checked));
    }

    private static void sendBatch(KafkaProducer<String, RunEvent> producer,
                                  List<ProducerRecord<String, RunEvent>> records, int from, int batch,
                                  AtomicInteger sent) throws Exception {
        int to = Math.min(records.size(), from + batch);
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            acks.add(producer.send(records.get(i)));
        }
        for (java.util.concurrent.Future<?> f : acks) {
            f.get(30, TimeUnit.SECONDS);
        }
        sent.addAndGet(to - from);
        TimeUnit.MILLISECONDS.sleep(50); // a stream, not a burst
    }

    /** Every committed report of the given runs on {@code trainledger.tor}, per run in log order. */
    private static Map<String, List<TorReport>> reports(java.util.Set<String> runIds) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<TorReport>> out = new HashMap<>();
        try (Deserializer<TorReport> values = Topics.TOR.valueSerde(stack.registry()).deserializer();
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, Topics.TOR.keySerde().deserializer(),
                     new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(Topics.TOR.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (runIds.contains(r.key()) && r.value() != null) {
                        out.computeIfAbsent(r.key(), k -> new ArrayList<>())
                                .add(values.deserialize(r.topic(), r.headers(), r.value()));
                    }
                }
            }
        }
        return out;
    }
}
