package io.trainledger.checkpointer;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * What an integration test plays: the trainer (stages bytes, appends snapshots) and the readers of the ledger, the
 * commands topic and the dead-letter topic, all on the real embedded broker and registry. Readers use no consumer
 * group and read from offset 0; tests filter by their own run id.
 */
final class LedgerFixture implements AutoCloseable {
    static final Path STAGING = Path.of("target/staging").toAbsolutePath();
    static final Path STORE = Path.of("target/checkpoint-store").toAbsolutePath();

    private final RegistrySettings registry;
    private final KafkaProducer<String, RunEvent> events;
    private final KafkaProducer<byte[], byte[]> raw;
    private final KafkaConsumer<byte[], byte[]> reader;
    private final Deserializer<RunEvent> eventDecoder;
    private final Deserializer<RunCommand> commandDecoder;
    private final List<RunEvent> ledger = new ArrayList<>();
    private final List<RunCommand> commands = new ArrayList<>();
    private final List<ConsumerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();

    LedgerFixture() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        registry = RegistrySettings.of(ConfigProvider.getConfig().getValue("trainledger.registry.url", String.class));
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        events = new KafkaProducer<>(p, Topics.RUN_EVENTS.keySerde().serializer(),
                Topics.RUN_EVENTS.valueSerde(registry).serializer());
        raw = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        eventDecoder = Topics.RUN_EVENTS.valueSerde(registry).deserializer();
        commandDecoder = Topics.COMMANDS.valueSerde(registry).deserializer();
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        reader = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.RUN_EVENTS.name(), Topics.COMMANDS.name(), Topics.DLQ.name())) {
            for (PartitionInfo info : reader.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
    }

    static String newRunId(String what) {
        return "ckpt-it-" + what + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** RunSubmitted with the given checkpoint policy. */
    RunEvent submit(String runId, CheckpointPolicy policy, Instant at) throws Exception {
        RunConfig config = RunConfig.newBuilder().setMethod(PromptMethod.COOP).setDataset("it").setSeed(1)
                .setSteps(1000).setCheckpoint(policy).build();
        return append(RunEvents.at(runId, 0, RunEvents.source("trainer", "it"), at,
                RunSubmitted.newBuilder().setConfig(config).build()));
    }

    static CheckpointPolicy policy(int interval, boolean adaptive, int keepLast, int keepEvery) {
        return CheckpointPolicy.newBuilder().setIntervalSteps(interval).setAdaptive(adaptive).setKeepLast(keepLast)
                .setKeepEvery(keepEvery).build();
    }

    /** Writes {@code content} where a trainer would stage it. */
    static Path stage(String runId, long step, byte[] content) throws Exception {
        Path file = STAGING.resolve(runId).resolve("step-" + step + ".ckpt");
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** A CheckpointSnapshotted envelope naming a staged file and the hash the trainer claims for it. */
    static RunEvent snapshot(String runId, long step, Path staged, String sha256, long bytes, long stallNanos,
                             Instant at) {
        return RunEvents.at(runId, 1, RunEvents.source("trainer", "it"), at, CheckpointSnapshotted.newBuilder()
                .setStep(step).setStallNanos(stallNanos).setStagingUri(staged.toUri().toString())
                .setSha256(sha256).setBytes(bytes).build());
    }

    RunEvent append(RunEvent event) throws Exception {
        events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), event.getRunId(), event)).get(30, TimeUnit.SECONDS);
        return event;
    }

    RecordMetadata appendRaw(String runId, byte[] value) throws Exception {
        return raw.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId.getBytes(StandardCharsets.UTF_8), value))
                .get(30, TimeUnit.SECONDS);
    }

    /** Everything read so far plus what the broker has now, for one run. */
    synchronized List<RunEvent> ledger(String runId) {
        poll();
        return ledger.stream().filter(e -> e.getRunId().equals(runId)).toList();
    }

    synchronized <T> List<T> payloads(String runId, Class<T> type) {
        return ledger(runId).stream().map(RunEvent::getPayload).filter(type::isInstance).map(type::cast).toList();
    }

    synchronized List<RunCommand> commands(String runId) {
        poll();
        return commands.stream().filter(c -> c.getRunId().equals(runId)).toList();
    }

    synchronized List<ConsumerRecord<byte[], byte[]>> deadLetters() {
        poll();
        return List.copyOf(deadLetters);
    }

    private void poll() {
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
            if (r.topic().equals(Topics.DLQ.name())) {
                deadLetters.add(r);
                continue;
            }
            try {
                if (r.topic().equals(Topics.RUN_EVENTS.name())) {
                    ledger.add(eventDecoder.deserialize(r.topic(), r.headers(), r.value()));
                } else {
                    commands.add(commandDecoder.deserialize(r.topic(), r.headers(), r.value()));
                }
            } catch (RuntimeException e) {
                // Poison records of the dead-letter test: not ours to read.
            }
        }
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random().nextBytes(b);
        return b;
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Override
    public void close() {
        events.close();
        raw.close();
        reader.close();
    }
}
