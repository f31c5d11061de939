package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code up}'s engine on the real broker and registry (KafkaSQL storage, as the default), with stand-ins for the four
 * packaged services (the real ones are built after this module; infra/e2e runs them): everything starts and is
 * ready, the services are pointed at the real broker, a service killed with SIGKILL is restarted by the supervisor,
 * {@code close} leaves no process behind, and a second start on the same data directory keeps the ledger.
 */
class LocalTrainLedgerIT {
    private static final Duration READY = Duration.ofMinutes(8);

    @TempDir
    Path data;

    @TempDir
    Path repo;

    @Test
    void startsStackAndServicesRestartsAKilledServiceStopsEverythingAndKeepsTheLedger() throws Exception {
        StandInApps.pack(repo);
        List<Long> pids = new ArrayList<>();
        SmokeRoundTrip.Result smoke;
        List<String> progress = new ArrayList<>();
        try (LocalTrainLedger ledger = LocalTrainLedger.start(StackSettings.defaults(data), repo, b -> { }, READY,
                progress::add)) {
            RunningServices services = ledger.services().orElseThrow();
            assertThat(progress).hasSize(5); // the stack, then each service ready
            assertThat(ServiceEndpoints.read(data)).isEqualTo(services.endpoints());
            assertThat(StackConnection.read(data)).isEqualTo(ledger.connection());
            Properties seen = new Properties();
            try (var in = Files.newInputStream(TrainLedgerService.TOR_AGGREGATOR.dataDir(data).resolve("stand-in.properties"))) {
                seen.load(in);
            }
            assertThat(seen.getProperty("quarkus.kafka-streams.bootstrap-servers")).isEqualTo(ledger.connection().bootstrapServers());
            assertThat(seen.getProperty("trainledger.registry.url")).isEqualTo(ledger.connection().registryUrl());

            smoke = SmokeRoundTrip.run(ledger.connection());

            long trainer = services.supervisor().process("trainer").orElseThrow().pid();
            services.supervisor().process("trainer").orElseThrow().kill();
            await().atMost(Duration.ofMinutes(5)).until(() -> services.supervisor().process("trainer")
                    .map(p -> p.pid() != trainer).orElse(false));
            services.awaitReady(TrainLedgerService.TRAINER, Duration.ofMinutes(5));
            assertThat(Files.readString(data.resolve("logs/supervisor.log"))).contains("trainer (pid " + trainer + ") killed by signal 9");

            pids.add(ledger.stack().brokerProcess().pid());
            pids.add(ledger.stack().registryProcess().pid());
            for (TrainLedgerService s : TrainLedgerService.values()) {
                pids.addAll(Files.readAllLines(s.dataDir(data).resolve("stand-in.starts")).stream().map(Long::parseLong).toList());
            }
        }
        assertThat(pids).hasSize(7);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid + " still alive").isFalse();
        }
        assertThat(ProcessHandle.current().children().toList()).isEmpty();
        assertThat(data.resolve(ServiceEndpoints.FILE)).doesNotExist();
        assertThat(data.resolve(StackConnection.FILE)).doesNotExist();

        // A second start on the same data directory: same ports, and the ledger still holds the smoke event.
        Map<TrainLedgerService, Integer> ports = ServicePorts.resolve(data).ports();
        try (LocalTrainLedger again = LocalTrainLedger.startStack(StackSettings.defaults(data))) {
            assertThat(again.services()).isEmpty();
            assertThat(ledgerKeyAt(again.connection(), smoke)).isEqualTo(smoke.runId());
        }
        assertThat(ServicePorts.resolve(data).ports()).isEqualTo(ports);
        assertThat(ProcessHandle.current().children().toList()).isEmpty();
    }

    private static String ledgerKeyAt(StackConnection c, SmokeRoundTrip.Result smoke) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.RUN_EVENTS.name(), smoke.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, smoke.offset());
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() == smoke.offset()) {
                        return new String(r.key(), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return null;
    }
}
