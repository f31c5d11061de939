package io.trainledger.tor.aggregator.flow;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test-side Kafka clients of the real stack: a ledger producer (registry serde, as the trainer) and raw readers. */
final class LedgerClients implements AutoCloseable {
    private final String bootstrap;
    private final KafkaProducer<String, RunEvent> ledger;
    private final KafkaProducer<String, byte[]> raw;

    LedgerClients(String bootstrap, RegistrySettings registry) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        ledger = new KafkaProducer<>(p, new StringSerializer(), Topics.RUN_EVENTS.valueSerde(registry).serializer());
        raw = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Appends the events (keyed by their run id) and waits for the acknowledgements. */
    void append(List<RunEvent> events) {
        for (RunEvent e : events) {
            ledger.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), e.getRunId(), e));
        }
        ledger.flush();
    }

    /** Appends raw bytes to the ledger under {@code key}. */
    void appendRaw(String key, byte[] value) throws ExecutionException, InterruptedException {
        raw.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), key, value)).get();
    }

    /** Every record of {@code topic} (read_committed, from offset 0 to the current end) whose key is {@code key}. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic, String key) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && java.util.Arrays.equals(r.key(), k)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        ledger.close();
        raw.close();
    }
}
