package io.trainledger.tor.aggregator.replay;

import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the live latest report of every run from the compacted {@code trainledger.tor} (from offset 0 up to the end
 * offsets seen at the start, read_committed, no consumer group): the last record of each key wins, a tombstone
 * removes the run.
 */
public final class LiveReports {
    private LiveReports() {
    }

    /** Latest report per run on {@code trainledger.tor} (PLAINTEXT cluster). */
    public static Map<String, TorReport> latest(String bootstrapServers, RegistrySettings registry, Duration timeout)
            throws TimeoutException {
        return latest(bootstrapServers, KafkaClientProperties.none(), registry, timeout);
    }

    /** Latest report per run on {@code trainledger.tor}; {@code client}: connection settings (SASL, TLS). */
    public static Map<String, TorReport> latest(String bootstrapServers, KafkaClientProperties client,
                                                RegistrySettings registry, Duration timeout) throws TimeoutException {
        Map<String, TorReport> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, client);
             Deserializer<TorReport> de = Topics.TOR.valueSerde(registry).deserializer()) {
            Map<TopicPartition, Long> ends = endOffsets(consumer, Topics.TOR.name(), timeout);
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, ends, timeout)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("timed out reading " + Topics.TOR.name() + " up to " + ends);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() == null) {
                        continue;
                    }
                    String runId = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        latest.remove(runId);
                    } else {
                        latest.put(runId, de.deserialize(r.topic(), r.value()));
                    }
                }
            }
        }
        return latest;
    }

    /** End offsets (last stable offsets, read_committed) of every partition of {@code topic} (PLAINTEXT). */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic, Duration timeout) {
        return endOffsets(bootstrapServers, KafkaClientProperties.none(), topic, timeout);
    }

    /** End offsets (last stable offsets, read_committed) of every partition of {@code topic}. */
    public static Map<TopicPartition, Long> endOffsets(String bootstrapServers, KafkaClientProperties client,
                                                       String topic, Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, client)) {
            return endOffsets(consumer, topic, timeout);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaConsumer<byte[], byte[]> consumer, String topic,
                                                        Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return new HashMap<>(consumer.endOffsets(partitions, timeout));
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends,
                                   Duration timeout) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey(), timeout) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, KafkaClientProperties client) {
        return new KafkaConsumer<>(consumerConfig(bootstrapServers, client), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The reader's configuration: {@code client}'s settings under its own (committed records only, no group). */
    static Map<String, Object> consumerConfig(String bootstrapServers, KafkaClientProperties client) {
        return readerConfig(bootstrapServers, client, "trainledger-replay-reader");
    }

    /**
     * The configuration of a group-less reader of whole partitions (the replay's, the audit's): {@code client}'s
     * settings under its own: committed records only, nothing committed, no group, large fetches.
     */
    public static Map<String, Object> readerConfig(String bootstrapServers, KafkaClientProperties client,
                                                   String clientIdPrefix) {
        Map<String, Object> own = new HashMap<>();
        own.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        own.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        own.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        own.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + UUID.randomUUID());
        own.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // One partition read from offset 0 to its end: large fetches (the default is 1 MB per partition and fetch).
        own.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        Map<String, Object> config = client.under(own);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign() only: never joins or commits for a group
        return config;
    }
}
