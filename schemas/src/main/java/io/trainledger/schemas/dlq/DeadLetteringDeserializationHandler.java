package io.trainledger.schemas.dlq;

import io.trainledger.schemas.KafkaClientProperties;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * Kafka Streams deserialization handler that sends an undecodable record to {@code trainledger.dlq} with its reason
 * and source coordinates, waits for the acknowledgement, and lets the application continue. If the dead letter
 * cannot be written the handler answers FAIL, so the record is never silently skipped.
 *
 * <p>Under exactly-once processing the dead letter is written outside the task's transaction: a task that fails
 * before committing will dead-letter the same record again on retry (at-least-once into the DLQ; consumers of the
 * DLQ deduplicate by source topic, partition and offset).
 *
 * <p>Set with {@code deserialization.exception.handler=io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler};
 * it reads {@code bootstrap.servers} and {@code application.id} from the Streams configuration, and passes the
 * configuration's security keys ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, with the application's
 * {@code producer.}-prefixed overrides over them) to its dead-letter producer, so that it connects to a secured
 * cluster exactly as the application's own producer does. In a Quarkus service those keys come from
 * {@code quarkus.kafka-streams.*}, {@code kafka-streams.*} and the {@code kafka.*} default-kafka-broker settings,
 * all of which Quarkus merges into the Streams configuration.
 */
public class DeadLetteringDeserializationHandler implements DeserializationExceptionHandler {
    private static final AtomicLong DEAD_LETTERED = new AtomicLong();

    private DeadLetterQueue dlq;

    @Override
    public void configure(Map<String, ?> configs) {
        this.dlq = new DeadLetterQueue(bootstrapServers(configs), dlqClientProperties(configs), consumerName(configs));
    }

    /** The dead-letter producer's connection settings: the Streams configuration's security keys, as above. */
    static KafkaClientProperties dlqClientProperties(Map<String, ?> streamsConfig) {
        return KafkaClientProperties.securityOf(streamsConfig, StreamsConfig.PRODUCER_PREFIX);
    }

    static String bootstrapServers(Map<String, ?> streamsConfig) {
        Object servers = streamsConfig.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        // A list when the configuration was parsed (StreamsConfig.values()), a string in the originals.
        return servers instanceof java.util.List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(servers);
    }

    private static String consumerName(Map<String, ?> streamsConfig) {
        Object appId = streamsConfig.get(StreamsConfig.APPLICATION_ID_CONFIG);
        return appId == null ? "kafka-streams" : appId.toString();
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                                 Exception exception) {
        try {
            dlq.send(record, DeadLetterQueue.reasonOf("cannot deserialize record", exception), exception);
            DEAD_LETTERED.incrementAndGet();
            return DeserializationHandlerResponse.CONTINUE;
        } catch (RuntimeException e) {
            return DeserializationHandlerResponse.FAIL;
        }
    }

    /** Closes the dead-letter producer (Kafka Streams never closes a handler; tests do). */
    void close() {
        if (dlq != null) {
            dlq.close();
        }
    }

    /** Records dead-lettered by handlers of this JVM (for metrics). */
    public static long deadLettered() {
        return DEAD_LETTERED.get();
    }
}
