package io.trainledger.schemas.dlq;

import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records a consumer cannot use to {@code trainledger.dlq}: the original key and value bytes, the original
 * headers, and {@link DeadLetterHeaders} saying why and where from. {@link #send} returns only once the broker has
 * acknowledged the dead letter, so a consumer may commit past the record without losing it.
 */
public final class DeadLetterQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterQueue.class);
    private static final long SEND_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<byte[], byte[]> producer;
    private final String consumerName;
    private final String topic;

    /**
     * @param bootstrapServers the cluster holding the dead-letter topic
     * @param consumerName who is giving up on records (goes into the {@link DeadLetterHeaders#CONSUMER} header)
     */
    public DeadLetterQueue(String bootstrapServers, String consumerName) {
        this(bootstrapServers, consumerName, Topics.DLQ.name(), Map.of());
    }

    /**
     * As above, on a secured cluster: {@code client} carries the deployment's connection settings (SASL, TLS).
     */
    public DeadLetterQueue(String bootstrapServers, KafkaClientProperties client, String consumerName) {
        this(bootstrapServers, consumerName, Topics.DLQ.name(), client.asMap());
    }

    /** As above, with a topic name and extra producer settings (security, client id). */
    public DeadLetterQueue(String bootstrapServers, String consumerName, String topic, Map<String, ?> extra) {
        this.producer = new KafkaProducer<>(producerConfig(bootstrapServers, consumerName, extra),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.consumerName = consumerName;
        this.topic = topic;
    }

    /**
     * The dead-letter producer's configuration: {@code extra} (security, client id...) under the settings a dead
     * letter needs, which {@code extra} cannot change: the bootstrap servers, {@code acks=all}, idempotence (a dead
     * letter is acknowledged by every in-sync replica, once). The serializers are given to the constructor.
     */
    static Map<String, Object> producerConfig(String bootstrapServers, String consumerName, Map<String, ?> extra) {
        Map<String, Object> own = new HashMap<>();
        own.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        own.put(ProducerConfig.ACKS_CONFIG, "all");
        own.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Object> config = KafkaClientProperties.of(extra).under(own);
        // Serializers are passed as instances; a class name in extra would be ignored by Kafka but confuse a reader.
        config.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "dlq-" + consumerName);
        return config;
    }

    /** Dead-letters a consumed record and waits for the acknowledgement. */
    public void send(ConsumerRecord<byte[], byte[]> record, String reason, Throwable cause) {
        send(record.topic(), record.partition(), record.offset(), record.timestamp(), record.headers(),
                record.key(), record.value(), reason, cause);
    }

    /** Dead-letters raw record coordinates and bytes and waits for the acknowledgement. */
    public void send(String sourceTopic, int partition, long offset, long timestamp, Headers original,
                     byte[] key, byte[] value, String reason, Throwable cause) {
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header h : original) {
                headers.add(h);
            }
        }
        put(headers, DeadLetterHeaders.REASON, reason);
        put(headers, DeadLetterHeaders.EXCEPTION, cause == null ? "" : cause.getClass().getName());
        put(headers, DeadLetterHeaders.SOURCE_TOPIC, sourceTopic);
        put(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(partition));
        put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(offset));
        put(headers, DeadLetterHeaders.SOURCE_TIMESTAMP, Long.toString(timestamp));
        put(headers, DeadLetterHeaders.CONSUMER, consumerName);
        try {
            producer.send(new ProducerRecord<>(topic, null, key, value, headers)).get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.warn("dead-lettered {}-{}@{}: {}", sourceTopic, partition, offset, reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while dead-lettering " + sourceTopic + "-" + partition + "@" + offset, e);
        } catch (ExecutionException | TimeoutException e) {
            // Not acknowledged: the caller must not skip the record.
            throw new KafkaException("could not dead-letter " + sourceTopic + "-" + partition + "@" + offset, e);
        }
    }

    /** A one-line reason from an exception chain: the message of each cause, outermost first. */
    public static String reasonOf(String what, Throwable error) {
        StringBuilder sb = new StringBuilder(what);
        java.util.Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            sb.append(": ").append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(' ').append(t.getMessage());
            }
        }
        return sb.length() > 2000 ? sb.substring(0, 2000) : sb.toString();
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
