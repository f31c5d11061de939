package io.trainledger.trainer;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topic;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** The test's own Kafka clients: sends commands and ledger events, reads a run's ledger and heartbeats. */
final class StackClient implements AutoCloseable {
    private final String bootstrap;
    private final RegistrySettings registry;
    private final KafkaProducer<String, RunCommand> commands;
    private final KafkaProducer<String, RunEvent> events;

    StackClient(String bootstrap, String registryUrl) {
        this.bootstrap = bootstrap;
        this.registry = RegistrySettings.of(registryUrl);
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG,
                "all");
        this.commands = new KafkaProducer<>(p, Topics.COMMANDS.keySerde().serializer(),
                Topics.COMMANDS.valueSerde(registry).serializer());
        this.events = new KafkaProducer<>(p, Topics.RUN_EVENTS.keySerde().serializer(),
                Topics.RUN_EVENTS.valueSerde(registry).serializer());
    }

    UUID command(String runId, SpecificRecord payload) throws Exception {
        UUID id = UUID.randomUUID();
        RunCommand c = RunCommand.newBuilder().setCommandId(id).setRunId(runId)
                .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                .setIssuedBy(RunEvents.source("test", "trainer-it")).setPayload(payload).build();
        commands.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, c)).get(30, TimeUnit.SECONDS);
        return id;
    }

    /** Appends a ledger event as another service would (the checkpointer, in these tests). */
    void append(String runId, int attempt, String service, SpecificRecord payload) throws Exception {
        RunEvent e = RunEvents.of(runId, attempt, RunEvents.source(service, "trainer-it"), payload);
        events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e)).get(30, TimeUnit.SECONDS);
    }

    /** Every ledger event of a run, in ledger order. */
    List<RunEvent> ledger(String runId) {
        return read(Topics.RUN_EVENTS, runId);
    }

    /** Every command sent for a run, in log order. */
    List<RunCommand> commands(String runId) {
        return read(Topics.COMMANDS, runId);
    }

    List<Heartbeat> heartbeats(String runId) {
        return read(Topics.HEARTBEATS, runId);
    }

    private <V extends SpecificRecord> List<V> read(Topic<String, V> topic, String runId) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde(registry).deserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic.name()).stream()
                    .map(i -> new TopicPartition(topic.name(), i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
                    if (runId.equals(r.key())) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        commands.close();
        events.close();
    }
}
