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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Appends the trainer's facts to the ledger ({@code trainledger.run-events}) with one idempotent acks=all producer,
 * through the {@link LedgerEmitter}'s single thread. {@link #stepCompleted} and {@link #append} do not wait (steps
 * never block on the broker); {@link #appendAndWait} returns only once the broker acknowledged the event (snapshots,
 * submissions, the last word before a crash). Per-step work on the caller's thread is one small record enqueued;
 * envelopes, event ids, serialisation, sends and the step metrics happen on the emitter thread.
 */
@ApplicationScoped
public class LedgerWriter {
    private static final int QUEUE = 10_000;
    private final LedgerEmitter emitter;

    LedgerWriter(KafkaSettings settings, TrainerMetrics metrics, TrainerConfig config) {
        KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(settings.producerConfig("ledger"),
                Topics.RUN_EVENTS.keySerde().serializer(), Topics.RUN_EVENTS.valueSerde(settings.registry()).serializer());
        this.emitter = new LedgerEmitter(producer, RunEvents.source("trainer", settings.instance()),
                config.ledgerDrainPeriod(), QUEUE, new LedgerEmitter.Listener() {
                    @Override
                    public void stepEmitted(StepFacts facts) {
                        metrics.step(facts.stepNanos());
                    }

                    @Override
                    public void produced(String payloadType) {
                        metrics.eventProduced(payloadType);
                    }
                }, CommandConsumer.APP_LOADER);
    }

    /** A new envelope from this trainer instance. */
    public RunEvent event(String runId, int attempt, SpecificRecord payload) {
        return emitter.event(runId, attempt, payload);
    }

    /** A step's StepCompleted, built and sent on the emitter thread (the step metrics are recorded there too). */
    public void stepCompleted(StepFacts facts) {
        emitter.stepCompleted(facts);
    }

    /** Sends without waiting (on the emitter thread); a failure is logged (the producer already retried it). */
    public Future<RecordMetadata> append(RunEvent event) {
        return emitter.append(event);
    }

    /** Sends and waits for the broker's acknowledgement. */
    public RecordMetadata appendAndWait(RunEvent event, Duration timeout) {
        try {
            return emitter.append(event).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while appending " + event.getEventId(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("event " + event.getEventId() + " of run " + event.getRunId()
                    + " was not acknowledged", e);
        }
    }

    /** Waits until everything appended so far is acknowledged (or failed). */
    public void flush() {
        emitter.flush();
    }

    @PreDestroy
    void close() {
        emitter.close();
    }
}
