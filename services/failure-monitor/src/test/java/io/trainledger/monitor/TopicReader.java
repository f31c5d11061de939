package io.trainledger.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from offset 0 (committed records only: the monitor writes transactionally) and keeps what
 * it has read; {@link #poll()} adds what arrived since and returns everything. Records it cannot decode (the poison
 * records a test sends on purpose) are skipped, as the monitor dead-letters them.
 */
final class TopicReader<V> implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<V> deserializer;
    private final List<V> values = new ArrayList<>();

    TopicReader(String bootstrap, String topic, Deserializer<V> deserializer) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.deserializer = deserializer;
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    List<V> poll() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.value() == null) {
                continue;
            }
            try {
                values.add(deserializer.deserialize(r.topic(), r.headers(), r.value()));
            } catch (RuntimeException poison) {
                // not a record of the contract: skipped
            }
        }
        return List.copyOf(values);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
