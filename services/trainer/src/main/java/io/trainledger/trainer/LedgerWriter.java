package io.trainledger.trainer;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
 *
 * <p>Serialisation and {@code send} run on one emitter thread, not on the run threads: measured on a PLPP run, the
 * registry serde and send took several per cent of a step on the step thread (bench/stack
 * TrainerOverheadBenchmark). One thread in FIFO order keeps every run's events in the order they were appended; the
 * queue is bounded and a full queue blocks the caller (back-pressure instead of unbounded memory).
 */
@ApplicationScoped
public class LedgerWriter {
    private static final Logger LOG = Logger.getLogger(LedgerWriter.class);
    private static final int QUEUE = 10_000;
    private final KafkaProducer<String, RunEvent> producer;
    private final KafkaSettings settings;
    private final TrainerMetrics metrics;
    private final ThreadPoolExecutor emitter;

    LedgerWriter(KafkaSettings settings, TrainerMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.producer = new KafkaProducer<>(settings.producerConfig("ledger"), Topics.RUN_EVENTS.keySerde().serializer(),
                Topics.RUN_EVENTS.valueSerde(settings.registry()).serializer());
        this.emitter = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "trainer-ledger-emitter");
            t.setDaemon(true);
            t.setContextClassLoader(CommandConsumer.APP_LOADER);
            return t;
        }, (task, pool) -> {
            try {
                pool.getQueue().put(task); // back-pressure, order kept
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException("interrupted while the ledger queue was full", e);
            }
        });
    }

    /** A new envelope from this trainer instance. */
    public RunEvent event(String runId, int attempt, SpecificRecord payload) {
        return RunEvents.of(runId, attempt, RunEvents.source("trainer", settings.instance()), payload);
    }

    /** Sends without waiting (on the emitter thread); a failure is logged (the producer already retried it). */
    public Future<RecordMetadata> append(RunEvent event) {
        String type = event.getPayload().getClass().getSimpleName();
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        emitter.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), event.getRunId(), event), (md, error) -> {
                    if (error != null) {
                        LOG.errorf(error, "[run %s] could not append %s %s", event.getRunId(), type,
                                event.getEventId());
                        acked.completeExceptionally(error);
                    } else {
                        metrics.eventProduced(type);
                        acked.complete(md);
                    }
                });
            } catch (RuntimeException e) {
                LOG.errorf(e, "[run %s] could not send %s %s", event.getRunId(), type, event.getEventId());
                acked.completeExceptionally(e);
            }
        });
        return acked;
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

    /** Waits until everything appended so far is acknowledged (or failed). */
    public void flush() {
        try {
            emitter.submit(producer::flush).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.warnf("flush of the ledger producer failed: %s", e.getCause());
        }
    }

    @PreDestroy
    void close() {
        emitter.shutdown();
        try {
            emitter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
