package io.trainledger.bench.stack;

import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.plpp.StepResult;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import io.trainledger.trainer.LedgerEmitter;
import io.trainledger.trainer.StepFacts;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the trainer service does per step and per heartbeat period, now and in the previous design. */
final class Emitter {
    private final String runId;
    private final KafkaProducer<String, RunEvent> events;
    private final KafkaProducer<String, Heartbeat> heartbeats;
    final LedgerEmitter ledger;
    private final java.util.concurrent.ExecutorService previous = Executors.newSingleThreadExecutor(
            r -> new Thread(r, "bench-previous-emitter"));
    private volatile long step;
    private volatile Instant lastStepTime;
    private long sequence;
    long beats;

    Emitter(String runId, KafkaProducer<String, RunEvent> events, KafkaProducer<String, Heartbeat> heartbeats,
            LedgerEmitter ledger) {
        this.runId = runId;
        this.events = events;
        this.heartbeats = heartbeats;
        this.ledger = ledger;
    }

    RunEvent envelope(StepResult r) {
        return RunEvents.of(runId, 1, RunEvents.source("trainer", "bench"), StepCompleted.newBuilder()
                .setStep(r.step() + 1).setEpoch(r.epoch()).setStepNanos(r.stepNanos()).setLoss(r.loss())
                .setCeLoss(r.ceLoss()).setPplLoss(r.pplLoss()).setIpplLoss(r.ipplLoss()).setKgLoss(0)
                .setAccuracy(r.accuracy()).setSamples(r.samples()).setLr(r.lr()).build());
    }

    /** As RunAttempt does now: the step's end time and a StepFacts handed to the trainer's LedgerEmitter. */
    void emitTrainer(StepResult r) {
        step = r.step() + 1;
        Instant ended = Instant.now();
        lastStepTime = ended;
        ledger.stepCompleted(new StepFacts(runId, 1, ended, r.step() + 1, r.epoch(), r.stepNanos(), r.loss(),
                r.ceLoss(), r.pplLoss(), r.ipplLoss(), r.kgLoss(), r.accuracy(), r.samples(), r.lr()));
    }

    /** The previous design (until this commit): envelope on the step thread, one executor task per event. */
    void emitPrevious(StepResult r) {
        step = r.step() + 1;
        lastStepTime = Instant.now();
        RunEvent e = envelope(r);
        previous.execute(() -> send(e));
    }

    void flushPrevious() throws Exception {
        previous.submit(events::flush).get();
    }

    void send(RunEvent e) {
        events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e), (md, error) -> {
            if (error != null) {
                System.err.println("emission failed: " + error);
            }
        });
    }

    void close() {
        previous.shutdown();
    }

    void beat() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant last = lastStepTime;
        heartbeats.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), runId, Heartbeat.newBuilder()
                .setRunId(runId).setAttempt(1).setStep(step)
                .setLastStepTime(last == null ? null : last.truncatedTo(ChronoUnit.MICROS))
                .setSequence(++sequence).setEventTime(now).setSource(RunEvents.source("trainer", "bench"))
                .build()));
        beats++;
    }
}
