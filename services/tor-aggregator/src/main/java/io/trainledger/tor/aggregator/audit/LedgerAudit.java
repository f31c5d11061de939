package io.trainledger.tor.aggregator.audit;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topic;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.replay.LiveReports;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The Kafka half of {@code audit}: reads one run's ledger from offset 0 of its partition of
 * {@code trainledger.run-events} and the run's latest report from {@code trainledger.tor}, with a plain consumer
 * (no group, nothing committed, read_committed), and hands both to {@link TorAudit}. Records of the run that do not
 * decode are counted and skipped, as the aggregator dead-letters them.
 *
 * <p>Meant for the CLI ({@code trainledger audit RUN}); reads up to the end offsets seen when it starts.
 */
public final class LedgerAudit {
    private final String bootstrapServers;
    private final KafkaClientProperties client;
    private final RegistrySettings registry;

    /** An audit on a PLAINTEXT cluster. */
    public LedgerAudit(String bootstrapServers, RegistrySettings registry) {
        this(bootstrapServers, KafkaClientProperties.none(), registry);
    }

    /**
     * @param client connection settings of a secured cluster (SASL, TLS), under the audit's own consumer settings
     */
    public LedgerAudit(String bootstrapServers, KafkaClientProperties client, RegistrySettings registry) {
        this.bootstrapServers = bootstrapServers;
        this.client = client;
        this.registry = registry;
    }

    /** The audit result plus how many of the run's ledger records did not decode. */
    public record Outcome(TorAudit.Result result, long undecodable) {
    }

    /** Audits one run; {@code timeout} bounds each of the two reads. */
    public Outcome audit(String runId, Duration timeout) {
        List<RunEvent> ledger = new ArrayList<>();
        long[] undecodable = {0};
        try (Deserializer<RunEvent> de = Topics.RUN_EVENTS.valueSerde(registry).deserializer()) {
            readRun(Topics.RUN_EVENTS, runId, timeout, (record, value) -> {
                if (value == null) {
                    return;
                }
                try {
                    RunEvent e = de.deserialize(record.topic(), value);
                    if (e != null) {
                        ledger.add(e);
                    } else {
                        undecodable[0]++;
                    }
                } catch (RuntimeException ex) {
                    undecodable[0]++;
                }
            });
        }
        TorReport[] latest = {null};
        try (Deserializer<TorReport> de = Topics.TOR.valueSerde(registry).deserializer()) {
            // Compacted topic: the last record of the key is the latest report (a tombstone clears it).
            readRun(Topics.TOR, runId, timeout,
                    (record, value) -> latest[0] = value == null ? null : de.deserialize(record.topic(), value));
        }
        return new Outcome(TorAudit.audit(runId, ledger, latest[0]), undecodable[0]);
    }

    /** The reader's configuration: the client settings under its own (committed records only, no group). */
    Map<String, Object> consumerConfig() {
        return LiveReports.readerConfig(bootstrapServers, client, "trainledger-audit");
    }

    private void readRun(Topic<?, ?> topic, String runId, Duration timeout,
                         BiConsumer<ConsumerRecord<byte[], byte[]>, byte[]> onRecord) {
        byte[] key = runId.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), timeout);
            // The producers' default partitioner: murmur2 of the key bytes (the ledger is keyed by runId).
            TopicPartition tp = new TopicPartition(topic.name(), Utils.toPositive(Utils.murmur2(key)) % partitions.size());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + tp + " up to offset " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && Arrays.equals(r.key(), key)) {
                        onRecord.accept(r, r.value());
                    }
                }
            }
        }
    }
}
