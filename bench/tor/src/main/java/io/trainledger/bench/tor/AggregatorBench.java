package io.trainledger.bench.tor;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.replay.LedgerReplay;
import io.trainledger.tor.aggregator.topology.TorTopology;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The tor-aggregator benchmark on a private embedded stack (real KRaft broker and Apicurio registry), every figure
 * with its baseline measured in the same run:
 * <ol>
 *   <li>throughput: the production topology ({@link TorTopology#build}, exactly_once_v2, commit 100 ms, the
 *       service's settings) folding N simulated events from offset 0, vs a plain consumer reading and deserializing
 *       the same topic (goal ratio >= 0.5);</li>
 *   <li>StepCompleted-to-TorReport latency with the aggregator running and caught up: wall time from the send of a
 *       step (one every 50 ms, each a second of event time later) to the read_committed arrival of the first report
 *       that folds it, throttling included (goal p99 <= 250 ms);</li>
 *   <li>{@code LedgerReplay} of the whole ledger and {@code LedgerAudit} of every run in this (warm) JVM, then
 *       {@code trainledger replay} and {@code trainledger audit RUN} through the repository's launcher, each in a
 *       fresh JVM as an operator runs them (goal <= 10 s each).</li>
 * </ol>
 * Arguments: {@code [events] [runs] [partitions]} (default 1,000,000, 4, 3).
 */
public final class AggregatorBench {
    private AggregatorBench() {
    }

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("trainledger-aggregator-bench");
        System.out.printf(Locale.ROOT, "tor-aggregator benchmark: %,d events in %d runs, %d partitions, %d cores%n",
                events, runs, partitions, Runtime.getRuntime().availableProcessors());
        try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(dir).withPartitions(partitions))) {
            String bootstrap = stack.connection().bootstrapServers();
            RegistrySettings registry = stack.connection().registry();
            System.out.printf(Locale.ROOT, "stack started in %.1f s (%s)%n", stack.startupTime().toMillis() / 1e3,
                    bootstrap);

            List<String> runIds = produceLedger(bootstrap, registry, events, runs);
            // Cold: the first pass of each arm in this JVM, the JIT compiling as it goes (on two cores the compiler
            // threads take half a core from the broker and the stream thread while the aggregator runs).
            double coldConsumerRate = plainConsumer(bootstrap, registry, true);
            double rawRate = plainConsumer(bootstrap, registry, false);
            double coldAggregatorRate;
            try (BenchAggregator warmUp = new BenchAggregator(bootstrap, registry, dir.resolve("warm-up-state"),
                    "trainledger-bench-warm-up", createTopic(bootstrap, "trainledger.bench.warm-up-tor", partitions))) {
                coldAggregatorRate = warmUp.timeCatchUp("aggregator, cold (first pass in this JVM)");
            }
            // More passes until the JIT is done: on two cores the compiler threads still took 3.5 CPU-seconds of an
            // 8.4 s third pass (and the broker's 1.1), the stream thread 5.1; after five passes 1.0 and 2.7 (per-thread
            // CPU from /proc, docs/benchmarks/aggregator.md). Each pass prints its JIT time. -Dbench.warmUpPasses
            // counts the cold one.
            for (int pass = 2; pass <= Integer.getInteger("bench.warmUpPasses", 5); pass++) {
                try (BenchAggregator warmUp = new BenchAggregator(bootstrap, registry,
                        dir.resolve("warm-up-state-" + pass),
                        "trainledger-bench-warm-up-" + pass, "trainledger.bench.warm-up-tor")) {
                    warmUp.timeCatchUp("aggregator, warm-up pass " + pass);
                }
                plainConsumer(bootstrap, registry, true);
            }
            // Warm: both arms again over the same ledger (steady state, as a long-running service is); the baseline
            // three times (it takes 1-3 s, so the broker's and the machine's noise weigh more), its median kept.
            double[] warmConsumer = {plainConsumer(bootstrap, registry, true), plainConsumer(bootstrap, registry, true),
                    plainConsumer(bootstrap, registry, true)};
            Arrays.sort(warmConsumer);
            double consumerRate = warmConsumer[1];
            double aggregatorRate;
            double[] latency;
            try (BenchAggregator aggregator = new BenchAggregator(bootstrap, registry, dir.resolve("aggregator-state"),
                    BenchAggregator.APP_ID, Topics.TOR.name())) {
                aggregatorRate = aggregator.timeCatchUp("aggregator, warm");
                if (Boolean.getBoolean("bench.throughputOnly")) { // tuning experiments: the first figure only
                    System.out.printf(Locale.ROOT, "throughput ratio, warm: %.2f (%,.0f / %,.0f events/s); cold: "
                            + "%.2f%n", aggregatorRate / consumerRate, aggregatorRate, consumerRate,
                            coldAggregatorRate / coldConsumerRate);
                    return;
                }
                latency = stepToReportLatency(bootstrap, registry, 400);
                aggregator.awaitCaughtUp(Duration.ofMinutes(5));
            }

            LedgerReplay.Outcome replay = new LedgerReplay(bootstrap, registry).replay(Duration.ofMinutes(30));
            long auditStart = System.nanoTime();
            long audited = 0;
            long firstRunEvents = 0;
            boolean auditsMatch = true;
            for (String runId : runIds) {
                LedgerAudit.Outcome audit = new LedgerAudit(bootstrap, registry).audit(runId, Duration.ofMinutes(10));
                audited += audit.result().ledgerEvents();
                firstRunEvents = firstRunEvents == 0 ? audit.result().ledgerEvents() : firstRunEvents;
                auditsMatch &= audit.result().matchesWholeLedger();
            }
            double auditSeconds = (System.nanoTime() - auditStart) / 1e9;
            // As an operator runs them: the CLI, each command in a fresh JVM, timed from process start to exit.
            List<String> cliRows = cliRows(dir, runIds.get(0), firstRunEvents, replay.ledgerRecords());

            System.out.println();
            System.out.println("| figure | value | baseline / goal | ratio |");
            System.out.println("|---|---|---|---|");
            System.out.printf(Locale.ROOT, "| aggregator throughput (EOS, production topology), warm | %,.0f events/s | "
                    + "plain consumer + Avro deserialization, warm, %,.0f events/s | %.2f (goal >= 0.5) |%n",
                    aggregatorRate, consumerRate, aggregatorRate / consumerRate);
            System.out.printf(Locale.ROOT, "| (same, cold: first pass of each arm in this JVM) | %,.0f events/s | "
                    + "%,.0f events/s | %.2f |%n", coldAggregatorRate, coldConsumerRate,
                    coldAggregatorRate / coldConsumerRate);
            System.out.printf(Locale.ROOT, "| (same, vs raw bytes consumer) | | %,.0f records/s | %.2f |%n", rawRate,
                    aggregatorRate / rawRate);
            System.out.printf(Locale.ROOT, "| StepCompleted -> TorReport latency p50 / p99 / max | %.0f / %.0f / %.0f ms "
                    + "| goal p99 <= 250 ms | |%n", latency[0], latency[1], latency[2]);
            System.out.printf(Locale.ROOT, "| replay of the ledger (%,d records) | %.1f s, identical: %s%s | goal <= 10 s | %.2f |%n",
                    replay.ledgerRecords(), replay.elapsed().toMillis() / 1e3, replay.identical(),
                    replay.identical() ? "" : " " + replay.differences().subList(0, Math.min(3, replay.differences().size())),
                    replay.elapsed().toMillis() / 1e4);
            System.out.printf(Locale.ROOT, "| audit of every run (%,d events) | %.1f s, all match: %s | goal <= 10 s | %.2f |%n",
                    audited, auditSeconds, auditsMatch, auditSeconds / 10);
            cliRows.forEach(System.out::println);
        }
    }

    /**
     * {@code trainledger replay} and {@code trainledger audit RUN} against this stack, each in a fresh JVM: on the
     * launcher's plain JVM ({@code TRAINLEDGER_AOT=off}) and with its AOT cache (a JDK 25+; the first such command
     * records the cache, which a background JVM assembles: that run is reported apart). Table rows.
     */
    private static List<String> cliRows(Path stackDir, String runId, long runEvents, long ledgerRecords)
            throws Exception {
        var launcher = ColdCommand.launcher();
        if (launcher.isEmpty()) {
            return List.of("| CLI commands | not run: no trainledger launcher above " + Path.of("").toAbsolutePath()
                    + " | | |");
        }
        Path cli = launcher.get();
        ColdCommand.run(cli, false, List.of("--help")); // builds the CLI if its sources changed, outside the timings
        List<String> replay = List.of("replay", "--data-dir", stackDir.toString());
        List<String> audit = List.of("audit", runId, "--data-dir", stackDir.toString());
        List<String> rows = new ArrayList<>();
        boolean hadCache = ColdCommand.newestAotCacheMillis(cli) > 0;
        long firstStart = System.currentTimeMillis() - 1000; // file times may be truncated to the second
        ColdCommand.Result first = ColdCommand.run(cli, true, replay);
        boolean recorded = ColdCommand.awaitAotCache(cli, firstStart, Duration.ofMinutes(3));
        boolean cached = recorded || hadCache;
        String[] labels = {"plain JVM (TRAINLEDGER_AOT=off)", "AOT cache"};
        for (int i = 0; i < (cached ? 2 : 1); i++) {
            boolean aot = i == 1;
            ColdCommand.Result r = ColdCommand.run(cli, aot, replay);
            ColdCommand.Result a = ColdCommand.run(cli, aot, audit);
            rows.add(String.format(Locale.ROOT, "| `trainledger replay` (%,d records), %s | %.1f s, identical: %s | "
                    + "goal <= 10 s | %.2f |", ledgerRecords, labels[i], r.processSeconds(), r.ok(),
                    r.processSeconds() / 10));
            rows.add(String.format(Locale.ROOT, "| `trainledger audit %s` (%,d events), %s | %.1f s, matches: %s | "
                    + "goal <= 10 s | %.2f |", runId, runEvents, labels[i], a.processSeconds(), a.ok(),
                    a.processSeconds() / 10));
        }
        rows.add(String.format(Locale.ROOT, "| (first `trainledger replay` with a JDK 25+, %s) | %.1f s | | |",
                recorded ? "recording the AOT cache" : hadCache ? "a cache was there" : "no AOT cache recorded",
                first.processSeconds()));
        return rows;
    }

    /** Simulated runs (CRASH and NAN_LOSS failures, stragglers, 1 % duplicates) totalling about {@code events}. */
    private static List<String> produceLedger(String bootstrap, RegistrySettings registry, long events, int runs)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        List<String> ids = new ArrayList<>();
        long produced = 0;
        long t0 = System.nanoTime();
        try (KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(p, new StringSerializer(),
                Topics.RUN_EVENTS.valueSerde(registry).serializer())) {
            for (int r = 0; r < runs; r++) {
                String runId = "bench-" + r;
                ids.add(runId);
                long target = events / runs;
                // About 1.1 events per step (steps, checkpoints, failures): size the run to its share of events.
                FailureSimulator sim = FailureSimulator.builder().seed(1000 + r).runId(runId)
                        .steps(target * 10 / 11).idealStepSeconds(0.5).checkpointEverySteps(100)
                        .checkpointStall(Distribution.constant(1)).commitLag(Distribution.constant(0.5))
                        .failure(FailureType.CRASH, 3600, Distribution.constant(5), Distribution.constant(20))
                        .failure(FailureType.NAN_LOSS, 7200, Distribution.constant(1), Distribution.constant(5))
                        .straggler(5400, 2.0, Distribution.constant(60), Distribution.constant(10))
                        .duplicates(0.01).build();
                long[] count = {0};
                sim.run(e -> {
                    if (count[0]++ < target) {
                        producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e));
                    }
                });
                produced += Math.min(count[0], target);
            }
        }
        System.out.printf(Locale.ROOT, "produced %,d events in %.1f s%n", produced, (System.nanoTime() - t0) / 1e9);
        return ids;
    }

    /** Creates {@code name} (as the ledger: {@code partitions}, replication 1) and returns its name. */
    private static String createTopic(String bootstrap, String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return name;
    }

    /** Reads the whole ledger with a plain consumer (no group), deserializing values or not; records per second. */
    private static double plainConsumer(String bootstrap, RegistrySettings registry, boolean deserialize) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
             Deserializer<RunEvent> de = Topics.RUN_EVENTS.valueSerde(registry).deserializer()) {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.RUN_EVENTS.name()).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long records = 0;
            long checksum = 0;
            PassCpu cpu = PassCpu.start();
            long t0 = System.nanoTime();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    checksum += deserialize ? de.deserialize(r.topic(), r.value()).getAttempt() : r.value().length;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "plain consumer (%s): %,d records in %.1f s (checksum %d; %s)%n",
                    deserialize ? "deserializing" : "raw bytes", records, seconds, checksum,
                    cpu.line(records, cpu.currentThreadNanos()));
            return records / seconds;
        }
    }

    /**
     * Sends {@code steps} StepCompleted events of a fresh run, one every 50 ms, each advancing event time by one
     * second (so each is due for a report at once), and times each until its report arrives on trainledger.tor.
     */
    private static double[] stepToReportLatency(String bootstrap, RegistrySettings registry, int steps)
            throws Exception {
        String runId = "latency-" + System.nanoTime();
        RunEventFactory f = new RunEventFactory(runId, 7);
        long t = System.currentTimeMillis() * 1000;
        ConcurrentSkipListMap<Long, Long> sentAt = new ConcurrentSkipListMap<>();
        List<Long> latenciesMs = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, TorReport> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                    Topics.TOR.valueSerde(registry).deserializer())) {
                List<TopicPartition> parts = consumer.partitionsFor(Topics.TOR.name()).stream()
                        .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
                consumer.assign(parts);
                consumer.seekToEnd(parts);
                parts.forEach(consumer::position);
                while (!stop.get()) {
                    for (ConsumerRecord<String, TorReport> r : consumer.poll(Duration.ofMillis(20))) {
                        if (runId.equals(r.key())) {
                            // A report folds every step up to its eventsFolded: the throttle may fold several
                            // steps into one report, and each of them is reported now.
                            long now = System.nanoTime();
                            var reported = sentAt.headMap(r.value().getEventsFolded(), true);
                            reported.values().forEach(sent -> latenciesMs.add((now - sent) / 1_000_000));
                            reported.clear();
                        }
                    }
                }
            }
        }, "latency-reader");
        reader.start();
        Thread.sleep(2000); // the reader is positioned at the end
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(p, new StringSerializer(),
                Topics.RUN_EVENTS.valueSerde(registry).serializer())) {
            producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, f.submitted(t, 0.5, 1_000_000, 100))).get();
            producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId,
                    f.attemptStarted(t + 1_000_000, 1, null, 1_000_000, 0))).get();
            Thread.sleep(1000);
            for (int i = 1; i <= steps; i++) {
                RunEvent step = f.step(t + (1 + i) * 1_000_000L, 1, i, 500_000_000L);
                sentAt.put(2L + i, System.nanoTime()); // eventsFolded of the report that folds this step
                producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, step));
                Thread.sleep(50);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (latenciesMs.size() < steps && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        stop.set(true);
        reader.join();
        long[] sorted = latenciesMs.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "latency: %d of %d steps reported%n", sorted.length, steps);
        if (sorted.length == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        return new double[] {sorted[(int) (0.50 * (sorted.length - 1))], sorted[(int) Math.ceil(0.99 * (sorted.length - 1))],
                sorted[sorted.length - 1]};
    }
}
