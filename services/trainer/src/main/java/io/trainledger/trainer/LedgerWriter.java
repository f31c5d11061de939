package io.trainledger.trainer;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Appends the trainer's facts to the ledger ({@code trainledger.run-events}) with one idempotent acks=all producer.
 * {@link #append} does not wait (steps never block on the broker); {@link #appendAndWait} returns only once the
 * broker acknowledged the event (snapshots, submissions, the last word before a crash).
 */
@ApplicationScoped
public class LedgerWriter {
    private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
    private final KafkaProducer<String, RunEvent> producer;
    private final KafkaSettings settings;
    private final TrainerMetrics metrics;

    LedgerWriter(KafkaSettings settings, TrainerMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.producer = new KafkaProducer<>(settings.producerConfig("ledger"), Topics.RUN_EVENTS.keySerde().serializer(),
                Topics.RUN_EVENTS.valueSerde(settings.registry()).serializer());
    }

    /** A new envelope from this trainer instance. */
    public RunEvent event(String runId, int attempt, SpecificRecord payload) {
        return RunEvents.of(runId, attempt, RunEvents.source("trainer", settings.instance()), payload);
    }

    /** Sends without waiting; a failure is logged (the producer already retried it). */
    public Future<RecordMetadata> append(RunEvent event) {
        String type = event.getPayload().getClass().getSimpleName();
        return producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), event.getRunId(), event), (md, error) -> {
            if (error != null) {
                LOG.errorf(error, "[run %s] could not append %s %s", event.getRunId(), type, event.getEventId());
            } else {
                metrics.eventProduced(type);
            }
        });
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata appendAndWait(RunEvent event, Duration timeout) {
        try {
            return append(event).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while appending " + event.getEventId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("event " + event.getEventId() + " of run " + event.getRunId()
                    + " was not acknowledged", e);
        }
    }

    /** Waits until everything sent so far is acknowledged (or failed). */
    public void flush() {
        producer.flush();
    }

    @PreDestroy
    void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
