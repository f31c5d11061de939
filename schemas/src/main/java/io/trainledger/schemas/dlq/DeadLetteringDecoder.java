package io.trainledger.schemas.dlq;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The consumer-side dead-letter policy for plain Kafka consumers: consume raw bytes, decode each record here, and
 * get either the value or, when it cannot be decoded (random bytes, an unknown schema id, a truncated body), an
 * empty result after the record went to the dead-letter topic with its reason. The consumer keeps going and loses
 * nothing. (Kafka Streams applications use {@link DeadLetteringDeserializationHandler}.)
 *
 * @param <T> decoded value type
 */
public final class DeadLetteringDecoder<T> {
    private final Deserializer<T> deserializer;
    private final DeadLetterQueue dlq;
    private long deadLettered;

    public DeadLetteringDecoder(Deserializer<T> deserializer, DeadLetterQueue dlq) {
        this.deserializer = deserializer;
        this.dlq = dlq;
    }

    /** The decoded value, or empty if the record was dead-lettered (a tombstone also decodes to empty). */
    public Optional<T> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        T value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            dlq.send(record, DeadLetterQueue.reasonOf("cannot deserialize value", e), e);
            deadLettered++;
            return Optional.empty();
        }
        if (value == null) {
            dlq.send(record, "value deserialized to null", null);
            deadLettered++;
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** Records dead-lettered by this decoder so far (for metrics). */
    public long deadLettered() {
        return deadLettered;
    }
}
