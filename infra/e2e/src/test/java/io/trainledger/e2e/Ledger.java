package io.trainledger.e2e;

import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SubmitRun;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The test's own view of the stack through plain Kafka clients: sends commands as the CLI would, and reads a run's
 * ledger (its partition of {@code trainledger.run-events}, read_committed, from offset 0).
 */
final class Ledger implements AutoCloseable {
    private final String bootstrap;
    private final RegistrySettings registry;
    private final KafkaProducer<String, RunCommand> commands;

    Ledger(StackConnection stack) {
        this.bootstrap = stack.bootstrapServers();
        this.registry = stack.registry();
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.commands = new KafkaProducer<>(p, Topics.COMMANDS.keySerde().serializer(),
                Topics.COMMANDS.valueSerde(registry).serializer());
    }

    String bootstrap() {
        return bootstrap;
    }

    RegistrySettings registry() {
        return registry;
    }

    /** Sends a command on {@code trainledger.commands} and waits for its acknowledgement. */
    UUID command(String runId, SpecificRecord payload) {
        UUID id = UUID.randomUUID();
        RunCommand c = RunCommand.newBuilder().setCommandId(id).setRunId(runId)
                .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                .setIssuedBy(RunEvents.source("e2e", "infra-e2e")).setPayload(payload).build();
        try {
            commands.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, c)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send a command for run " + runId, e);
        }
        return id;
    }

    UUID submit(String runId, RunConfig config) {
        return command(runId, SubmitRun.newBuilder().setConfig(config).build());
    }

    /** The ledger partition of a run (the producers' default partitioner: murmur2 of the key). */
    static int partitionOf(String runId, int partitions) {
        return Utils.toPositive(Utils.murmur2(runId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Every committed ledger event of one run, in ledger order. */
    List<RunEvent> read(String runId) {
        return readRuns(List.of(runId)).getOrDefault(runId, List.of());
    }

    /** Every committed ledger event of the given runs, per run in ledger order. */
    Map<String, List<RunEvent>> readRuns(List<String> runIds) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<String, List<RunEvent>> out = new HashMap<>();
        runIds.forEach(r -> out.put(r, new ArrayList<>()));
        try (Deserializer<RunEvent> values = Topics.RUN_EVENTS.valueSerde(registry).deserializer();
             KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, Topics.RUN_EVENTS.keySerde().deserializer(),
                     new ByteArrayDeserializer())) {
            int partitions = c.partitionsFor(Topics.RUN_EVENTS.name()).size();
            List<TopicPartition> tps = runIds.stream().map(r -> partitionOf(r, partitions)).distinct()
                    .map(p -> new TopicPartition(Topics.RUN_EVENTS.name(), p)).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    List<RunEvent> run = out.get(r.key());
                    if (run != null && r.value() != null) {
                        run.add(values.deserialize(r.topic(), r.headers(), r.value()));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        commands.close();
    }
}
