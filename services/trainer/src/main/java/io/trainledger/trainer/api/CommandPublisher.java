package io.trainledger.trainer.api;

import io.trainledger.commands.RunCommand;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import io.trainledger.trainer.KafkaSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Sends commands received over REST to {@code trainledger.commands} (keyed by run id, idempotent, acks=all) and
 * returns only once the broker acknowledged them: a 202 means the command is in the log.
 */
@ApplicationScoped
public class CommandPublisher {
    private static final Logger LOG = Logger.getLogger(CommandPublisher.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(15);
    private final KafkaProducer<String, RunCommand> producer;
    private final KafkaSettings settings;

    CommandPublisher(KafkaSettings settings) {
        this.settings = settings;
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        // Kafka and the serde load classes by name through the context loader: pin the application's.
        Thread.currentThread().setContextClassLoader(CommandPublisher.class.getClassLoader());
        try {
            Duration max = ACK_TIMEOUT;
            var config = settings.producerConfig("api-commands");
            config.put("delivery.timeout.ms", (int) max.toMillis());
            config.put("request.timeout.ms", (int) max.toMillis() - 1000);
            config.put("max.block.ms", (int) max.toMillis());
            this.producer = new KafkaProducer<>(config, Topics.COMMANDS.keySerde().serializer(),
                    Topics.COMMANDS.valueSerde(settings.registry()).serializer());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** Publishes one command and waits for the acknowledgement; throws {@link NotAcknowledged} otherwise. */
    public UUID publish(String runId, SpecificRecord payload) {
        UUID id = UUID.randomUUID();
        RunCommand command = RunCommand.newBuilder()
                .setCommandId(id)
                .setRunId(runId)
                .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                .setIssuedBy(RunEvents.source("trainer-api", settings.instance()))
                .setPayload(payload)
                .build();
        try {
            producer.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, command))
                    .get(ACK_TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotAcknowledged("interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warnf("[run %s] %s command %s not acknowledged: %s", runId, payload.getClass().getSimpleName(), id,
                    cause.toString());
            throw new NotAcknowledged("command not acknowledged by Kafka: " + cause.getMessage(), cause);
        }
        LOG.infof("[run %s] %s command %s published over REST", runId, payload.getClass().getSimpleName(), id);
        return id;
    }

    /** The broker did not acknowledge a command in time. */
    public static final class NotAcknowledged extends RuntimeException {
        NotAcknowledged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
