package io.trainledger.trainer;

import io.trainledger.events.EventSource;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * The one thread that turns the trainer's facts into ledger records: it builds envelopes, serialises (inside the
 * producer) and sends, in the order the facts were handed over, through one idempotent acks=all producer.
 *
 * <p>Why a polling drain rather than a wake-up per event: the per-step hand-off is on the training thread's critical
 * path. Waking a thread per step (an executor's {@code execute}) made the woken emitter, then the producer's I/O
 * thread, preempt the step thread on a 2-core machine, and the step thread lost far more than the microseconds of
 * work it handed over (bench/stack TrainerOverheadBenchmark). So {@link #stepCompleted} only enqueues a
 * {@link StepFacts} (no envelope, no UUID, no wake-up); this thread drains the queue every {@code drainPeriod} and
 * hands the whole batch to the producer at once. Facts somebody waits for ({@link #append} with a future others
 * read, {@link #flush}) wake the thread at once, so a checkpoint boundary does not wait for the next drain.
 *
 * <p>One FIFO queue and one consumer keep every run's events in the order they were handed over (and the producer's
 * idempotence keeps that order on the partition across retries). The queue is bounded: beyond {@code capacity}
 * pending facts the caller waits (back-pressure when the broker is away, instead of unbounded memory).
 */
public final class LedgerEmitter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LedgerEmitter.class);

    /** Hooks for counting what was sent (the trainer's Micrometer meters); called on the emitter thread. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A StepCompleted was handed to the producer. */
        default void stepEmitted(StepFacts facts) {
        }

        /** The broker acknowledged an event of this payload type. */
        default void produced(String payloadType) {
        }
    }

    private sealed interface Entry permits Step, Event, Flush {
    }

    private record Step(StepFacts facts) implements Entry {
    }

    private record Event(RunEvent event, CompletableFuture<RecordMetadata> acked) implements Entry {
    }

    private record Flush(CompletableFuture<Void> done) implements Entry {
    }

    private final Producer<String, RunEvent> producer;
    private final EventSource source;
    private final long drainNanos;
    private final int capacity;
    private final Listener listener;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final Thread thread;
    private volatile boolean closing;

    /**
     * @param producer    idempotent, acks=all; owned (closed) by this emitter
     * @param source      the writer recorded in every envelope
     * @param drainPeriod how long step facts may wait before they are sent (bounds their latency)
     * @param capacity    pending facts beyond which callers wait
     */
    public LedgerEmitter(Producer<String, RunEvent> producer, EventSource source, Duration drainPeriod, int capacity,
                         Listener listener, ClassLoader contextLoader) {
        this.producer = producer;
        this.source = source;
        this.drainNanos = Math.max(TimeUnit.MICROSECONDS.toNanos(100), drainPeriod.toNanos());
        this.capacity = capacity;
        this.listener = listener;
        this.thread = new Thread(this::drainLoop, "trainer-ledger-emitter");
        thread.setDaemon(true);
        thread.setContextClassLoader(contextLoader);
        thread.start();
    }

    /** A new envelope from this writer, stamped now. */
    public RunEvent event(String runId, int attempt, org.apache.avro.specific.SpecificRecord payload) {
        return RunEvents.of(runId, attempt, source, payload);
    }

    /**
     * The step thread's whole share of emitting a StepCompleted: enqueue its facts. Nobody is woken; the next drain
     * (within the drain period) builds and sends the event.
     */
    public void stepCompleted(StepFacts facts) {
        enqueue(new Step(facts), false);
    }

    /** Sends an event without waiting; the future completes with the broker's acknowledgement (or its failure). */
    public CompletableFuture<RecordMetadata> append(RunEvent event) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        enqueue(new Event(event, acked), true);
        return acked;
    }

    /** Returns once everything handed over before this call is acknowledged by the broker (or failed). */
    public void flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Flush(done), true);
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warnf("flush of the ledger producer failed: %s", e.getCause());
        }
    }

    private void enqueue(Entry entry, boolean wake) {
        if (closing) {
            throw new IllegalStateException("the ledger emitter is closed; " + describe(entry) + " not sent");
        }
        while (pending.get() >= capacity) {
            // Back-pressure: the broker is slower than the facts arrive. Wait for the drain, never drop.
            LockSupport.unpark(thread);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while the ledger queue was full; " + describe(entry)
                        + " not sent");
            }
        }
        pending.incrementAndGet();
        queue.add(entry);
        if (wake) {
            LockSupport.unpark(thread);
        }
    }

    private void drainLoop() {
        while (true) {
            drain();
            if (closing && queue.isEmpty()) {
                return;
            }
            LockSupport.parkNanos(this, drainNanos);
        }
    }

    private void drain() {
        Entry entry;
        boolean awaited = false;
        while ((entry = queue.poll()) != null) {
            pending.decrementAndGet();
            try {
                if (entry instanceof Step s) {
                    StepFacts f = s.facts();
                    send(RunEvents.at(f.runId(), f.attempt(), source, f.endedAt(), f.toPayload()), null);
                    listener.stepEmitted(f);
                } else if (entry instanceof Event e) {
                    send(e.event(), e.acked());
                    awaited = true;
                } else if (entry instanceof Flush fl) {
                    producer.flush();
                    fl.done().complete(null);
                }
            } catch (RuntimeException e) {
                // One bad fact must not stop the thread every run's facts go through.
                LOG.errorf(e, "could not send %s", describe(entry));
                if (entry instanceof Event ev) {
                    ev.acked().completeExceptionally(e);
                } else if (entry instanceof Flush fl) {
                    fl.done().completeExceptionally(e);
                }
            }
        }
        if (awaited) {
            // Someone may be waiting for these acknowledgements (a checkpoint boundary holds training until its
            // CheckpointSnapshotted is acknowledged): send now rather than after the producer's linger.ms (5 ms of
            // a measured 8.6 ms append on the embedded broker). Blocks this thread only; step facts queue meanwhile.
            try {
                producer.flush();
            } catch (RuntimeException e) {
                LOG.warnf("flush of the ledger producer failed: %s", e);
            }
        }
    }

    private void send(RunEvent event, CompletableFuture<RecordMetadata> acked) {
        String type = event.getPayload().getClass().getSimpleName();
        producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), event.getRunId(), event), (md, error) -> {
            if (error != null) {
                LOG.errorf(error, "[run %s] could not append %s %s", event.getRunId(), type, event.getEventId());
                if (acked != null) {
                    acked.completeExceptionally(error);
                }
            } else {
                listener.produced(type);
                if (acked != null) {
                    acked.complete(md);
                }
            }
        });
    }

    private static String describe(Entry entry) {
        if (entry instanceof Step s) {
            return "StepCompleted of run " + s.facts().runId() + " step " + s.facts().step();
        } else if (entry instanceof Event e) {
            return e.event().getPayload().getClass().getSimpleName() + " " + e.event().getEventId() + " of run "
                    + e.event().getRunId();
        }
        return "flush";
    }

    /** Sends everything already handed over, waits for the acknowledgements, then closes the producer. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!queue.isEmpty()) {
            LOG.errorf("ledger emitter closed with %d facts not sent", queue.size());
        }
        producer.close(Duration.ofSeconds(10));
    }
}
