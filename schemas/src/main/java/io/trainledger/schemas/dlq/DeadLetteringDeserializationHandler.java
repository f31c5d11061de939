package io.trainledger.schemas.dlq;

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
 * it reads {@code bootstrap.servers} and {@code application.id} from the Streams configuration.
 */
public class DeadLetteringDeserializationHandler implements DeserializationExceptionHandler {
    private static final AtomicLong DEAD_LETTERED = new AtomicLong();

    private DeadLetterQueue dlq;

    @Override
    public void configure(Map<String, ?> configs) {
        String bootstrap = String.valueOf(configs.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        Object appId = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        this.dlq = new DeadLetterQueue(bootstrap, appId == null ? "kafka-streams" : appId.toString());
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

    /** Records dead-lettered by handlers of this JVM (for metrics). */
    public static long deadLettered() {
        return DEAD_LETTERED.get();
    }
}
