package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.SmokeRoundTrip;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second stack on its own data directory, beside the shared one, for what must not disturb other tests: a broker
 * killed with SIGKILL, a registry restart. Also checks that nothing listens beyond 127.0.0.1.
 */
@ExtendWith(EmbeddedStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrivateStackIT {
    private EmbeddedStack stack;

    @BeforeAll
    void start() throws Exception {
        stack = TrainLedgerStack.startPrivate("private");
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void runsBesideTheSharedStackAndBindsLoopbackOnly(StackConnection shared) throws Exception {
        StackConnection mine = stack.connection();
        assertThat(mine.bootstrapServers()).isNotEqualTo(shared.bootstrapServers());
        assertThat(SmokeRoundTrip.run(mine).runId()).startsWith("smoke-");
        assertThat(SmokeRoundTrip.run(shared).runId()).startsWith("smoke-");
        for (long pid : List.of(stack.brokerProcess().pid(), stack.registryProcess().pid())) {
            List<String> listening = ListeningSockets.of(pid);
            assertThat(listening).as("listening sockets of pid %d", pid).isNotEmpty();
            assertThat(listening).as("pid %d binds loopback only", pid)
                    .allMatch(a -> a.startsWith("127.0.0.1:") || a.startsWith("::ffff:127.0.0.1:"));
        }
    }

    @Test
    @Order(2)
    void aBrokerKilledWithSigkillLosesNoAcknowledgedEvent() throws Exception {
        StackConnection c = stack.connection();
        String runId = "kill9-" + UUID.randomUUID();
        int n = 2000;
        List<RunEvent> sent = new ArrayList<>();
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(c.registry());
             KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                     ProducerConfig.LINGER_MS_CONFIG, 5),
                     Topics.RUN_EVENTS.keySerde().serializer(), serde.serializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                RunEvent e = SampleRecords.runEvents(runId).get(i % 14);
                sent.add(e);
                acks.add(producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(); // acknowledged by the broker (acks=all)
            }
        }
        stack.killBroker();
        assertThat(stack.brokerProcess().isAlive()).isFalse();
        stack.restartBroker();

        Set<UUID> received = new HashSet<>();
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(c.registry());
             KafkaConsumer<String, RunEvent> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers(),
                     ConsumerConfig.GROUP_ID_CONFIG, "kill9-" + UUID.randomUUID(),
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                     Topics.RUN_EVENTS.keySerde().deserializer(), serde.deserializer())) {
            consumer.subscribe(List.of(Topics.RUN_EVENTS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (received.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, RunEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    if (runId.equals(r.key())) {
                        received.add(r.value().getEventId());
                    }
                }
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent.stream().map(RunEvent::getEventId).toList());
    }

    @Test
    @Order(3)
    void schemasSurviveARegistryRestart() throws Exception {
        StackConnection c = stack.connection();
        SmokeRoundTrip.Result before = SmokeRoundTrip.run(c);
        stack.restartRegistry();
        // A fresh deserializer (empty schema cache) decodes the old record by asking the restarted registry.
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(c.registry());
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers()),
                     new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                     new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition(Topics.RUN_EVENTS.name(), before.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, before.offset());
            RunEvent decoded = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (decoded == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == before.offset()) {
                        decoded = serde.deserializer().deserialize(tp.topic(), r.value());
                    }
                }
            }
            assertThat(decoded).isNotNull();
            assertThat(decoded.getRunId()).isEqualTo(before.runId());
        }
        assertThat(SmokeRoundTrip.run(c).runId()).startsWith("smoke-");
    }
}
