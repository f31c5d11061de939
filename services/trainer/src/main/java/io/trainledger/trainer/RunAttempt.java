package io.trainledger.trainer;

import ai.djl.pytorch.jni.JniUtils;
import io.trainledger.commands.InjectFault;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunConfig;
import io.trainledger.plpp.EvaluationResult;
import io.trainledger.plpp.PlppConfig;
import io.trainledger.plpp.PlppEnvironment;
import io.trainledger.plpp.PlppTrainer;
import io.trainledger.plpp.StepResult;
import io.trainledger.plpp.TaskData;
import io.trainledger.plpp.TrainingState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One attempt of a run, on the run's own thread: learn the run's latest state from the ledger, open the task,
 * restore from the best committed checkpoint that verifies (rejecting the others), then step to the end, emitting
 * every fact. Stops between steps when aborted (a restart or a lost partition) or cancelled. Its attempt number is
 * the fencing token of everything it writes.
 */
final class RunAttempt implements Runnable {
    private static final Logger LOG = Logger.getLogger(RunAttempt.class);

    private final RunSlot slot;
    private final AttemptServices services;
    private final String runId;
    private final ConcurrentLinkedQueue<InjectFault> injected = new ConcurrentLinkedQueue<>();
    private volatile int attempt;
    private volatile boolean aborted;
    private volatile boolean active;
    private volatile long step;
    private volatile Instant lastStepTime;
    private volatile Thread thread;
    private long heartbeatSequence;
    private int epoch;
    private boolean nanPending;
    private long stragglerUntil;
    private double stragglerFactor = 1;

    RunAttempt(RunSlot slot, int attempt, AttemptServices services) {
        this.slot = slot;
        this.attempt = attempt;
        this.services = services;
        this.runId = slot.runId();
    }

    int attempt() {
        return attempt;
    }

    String runId() {
        return runId;
    }

    /** Whether the attempt has started stepping and not ended (heartbeats are sent only then). */
    boolean active() {
        return active;
    }

    long step() {
        return step;
    }

    Instant lastStepTime() {
        return lastStepTime;
    }

    long nextHeartbeatSequence() {
        return ++heartbeatSequence;
    }

    /** Stops the attempt at the next step boundary, writing nothing more (a restart or ownership loss follows). */
    void abort() {
        aborted = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void inject(InjectFault fault) {
        injected.add(fault);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        MDC.put("runId", runId);
        try {
            // libtorch's grad mode is per thread and on by default in a new one; DJL switches it off only on the
            // thread that loaded the engine. Off here, as on that thread: the trainer's in-place optimizer update on
            // the context leaf fails otherwise, and feature extraction would record graphs.
            JniUtils.setGradMode(false);
            execute();
        } catch (RuntimeException e) {
            // Nothing is appended: the attempt just stops beating, which the failure monitor sees as a crash of
            // this attempt and answers with a RestartRun.
            LOG.errorf(e, "[run %s] attempt %d failed", runId, attempt);
        } finally {
            active = false;
            MDC.remove("runId");
        }
    }

    private void execute() {
        if (aborted || slot.released) {
            return;
        }
        RunState state = refreshState();
        if (state.finished()) {
            LOG.infof("[run %s] already %s; attempt %d not started", runId, state.outcome(), attempt);
            return;
        }
        if (slot.cancelReason != null) {
            cancel(state);
            return;
        }
        RunConfig config = state.config();
        long t0 = System.nanoTime();
        PlppEnvironment env = services.environments().forDevice(config.getDevice());
        PlppConfig plpp = RunConfigs.toPlpp(config, services.config().testPerClass());
        try (TaskData task = env.task(plpp)) {
            long initNanos = System.nanoTime() - t0;
            long r0 = System.nanoTime();
            Restored restored = restore(state, env, task, plpp);
            long restoreNanos = restored.checkpoint == null ? 0 : System.nanoTime() - r0;
            try (PlppTrainer trainer = restored.trainer) {
                if (aborted || slot.released) {
                    return;
                }
                step = trainer.stepsDone();
                services.writer().appendAndWait(event(AttemptStarted.newBuilder()
                        .setAttempt(attempt)
                        .setRestoredFromStep(restored.checkpoint == null ? null : restored.checkpoint.step())
                        .setInitNanos(initNanos)
                        .setRestoreNanos(restoreNanos)
                        .setDevice(env.device().toString())
                        .setCheckpointUri(restored.checkpoint == null ? null : restored.checkpoint.uri())
                        .build()), services.config().snapshotAckTimeout());
                slot.state.attemptStarted(attempt);
                LOG.infof("[run %s] attempt %d started at step %d on %s (init %d ms, restore %d ms)", runId, attempt,
                        step, env.device(), initNanos / 1_000_000, restoreNanos / 1_000_000);
                active = true;
                train(trainer, state);
            }
        }
    }

    /** The run's state from the ledger, which holds the checkpoints committed since this instance last looked. */
    private RunState refreshState() {
        services.writer().flush();
        RunState fresh = services.reader().readRun(runId, slot.state.partition()).orElse(slot.state);
        if (fresh.lastAttempt() >= attempt) {
            attempt = fresh.lastAttempt() + 1;
            slot.lastScheduledAttempt = Math.max(slot.lastScheduledAttempt, attempt);
        }
        if (fresh.finished()) {
            slot.state.finish(fresh.outcome());
        }
        return fresh;
    }

    private record Restored(PlppTrainer trainer, RunState.Committed checkpoint) {
    }

    private Restored restore(RunState state, PlppEnvironment env, TaskData task, PlppConfig plpp) {
        for (RunState.Committed c : state.restoreCandidates()) {
            String reason;
            try {
                byte[] bytes = Files.readAllBytes(Path.of(URI.create(c.uri())));
                String sha = Sha256.hex(bytes);
                if (!sha.equalsIgnoreCase(c.sha256())) {
                    reason = "sha256 mismatch: committed " + c.sha256() + ", file has " + sha;
                } else {
                    TrainingState ts = TrainingState.fromBytes(bytes);
                    PlppTrainer trainer = env.restore(task, plpp, ts);
                    LOG.infof("[run %s] attempt %d restores step %d from %s", runId, attempt, ts.step(), c.uri());
                    return new Restored(trainer, new RunState.Committed(ts.step(), c.uri(), c.sha256(), c.ledgerOrder()));
                }
            } catch (Exception e) {
                reason = "cannot restore: " + e;
            }
            LOG.warnf("[run %s] checkpoint at step %d rejected (%s); falling back", runId, c.step(), reason);
            services.writer().append(event(CheckpointRejected.newBuilder()
                    .setStep(c.step()).setUri(c.uri()).setSha256(c.sha256()).setReason(reason).build()));
            slot.state.rejected(c.uri());
        }
        return new Restored(env.trainer(task, plpp), null);
    }

    private void train(PlppTrainer trainer, RunState state) {
        RunConfig config = state.config();
        ChaosSettings chaos = services.config().chaos().enabled() ? config.getChaos() : null;
        ChaosSchedule schedule = chaos == null ? null : new ChaosSchedule(chaos, attempt);
        ChaosSchedule.Fault planned = schedule == null ? null : schedule.next();
        long trainStart = System.nanoTime();
        while (!trainer.done()) {
            if (aborted || slot.released) {
                LOG.infof("[run %s] attempt %d aborted at step %d", runId, attempt, step);
                return;
            }
            if (slot.cancelReason != null) {
                cancel(state);
                return;
            }
            InjectFault requested = injected.poll();
            if (requested != null) {
                if (!fault(requested.getType(), requested.getParameters(), chaos)) {
                    return;
                }
            } else if (planned != null && System.nanoTime() - trainStart >= planned.atNanos()) {
                Integer max = chaos.getMaxFaults();
                if (max == null || slot.state.faultsInjected() < max) {
                    if (!fault(planned.type(), Map.of(), chaos)) {
                        return;
                    }
                }
                planned = schedule.next();
            }
            StepResult r;
            StepLock.get().lock();
            try {
                r = trainer.step();
            } finally {
                StepLock.get().unlock();
            }
            long stepNanos = straggle(r.stepNanos());
            double loss = nanPending ? Double.NaN : r.loss();
            nanPending = false;
            step = r.step() + 1;
            epoch = r.epoch();
            Instant ended = Instant.now();
            lastStepTime = ended;
            // The step thread's whole share of the event: a record of primitives, enqueued without waking anyone.
            services.writer().stepCompleted(new StepFacts(runId, attempt, ended, step, r.epoch(), stepNanos, loss,
                    r.ceLoss(), orZero(r.pplLoss()), orZero(r.ipplLoss()), orZero(r.kgLoss()), r.accuracy(),
                    r.samples(), r.lr()));
            if (!Double.isFinite(loss)) {
                // The state behind a non-finite loss is never snapshotted: the attempt stops here and waits for the
                // RestartRun that rolls it back to the last committed checkpoint.
                LOG.warnf("[run %s] attempt %d: loss %s at step %d; no further steps or snapshots", runId, attempt,
                        loss, step);
                awaitReleased(state);
                return;
            }
            if (trainer.done()) {
                break;
            }
            if (step % Math.max(1, slot.intervalSteps) == 0) {
                snapshot(trainer);
            }
            long every = config.getEvalEverySteps();
            if (every > 0 && step % every == 0) {
                evaluate(trainer);
            }
        }
        // The final state is snapshotted too (and committed by the checkpointer): it is what the run produced, and
        // TrainingState holds nothing run- or attempt-specific, so two runs of one config compare by its sha256.
        snapshot(trainer);
        finish(trainer, evaluate(trainer));
    }

    private EvaluationResult evaluate(PlppTrainer trainer) {
        long t0 = System.nanoTime();
        EvaluationResult e = trainer.evaluate();
        Double novel = e.accuracy().containsKey("new") ? e.novel() : null;
        double base = e.accuracy().containsKey("base") ? e.base() : e.all();
        services.writer().append(event(EvalCompleted.newBuilder()
                .setStep(step).setEpoch(epoch).setBaseAcc(base).setNewAcc(novel)
                .setHm(novel == null ? null : e.harmonicMean()).setEvalNanos(System.nanoTime() - t0).build()));
        LOG.infof("[run %s] evaluation at step %d: %s", runId, step, e.accuracy());
        return e;
    }

    private void finish(PlppTrainer trainer, EvaluationResult e) {
        Map<String, Double> metrics = new HashMap<>();
        e.accuracy().forEach((split, acc) -> metrics.put(split + "Acc", acc));
        if (e.accuracy().containsKey("base") && e.accuracy().containsKey("new")) {
            metrics.put("hm", e.harmonicMean());
        }
        services.writer().appendAndWait(event(RunCompleted.newBuilder()
                .setFinalStep(step).setMetrics(metrics).setCheckpointUri(null).build()),
                services.config().snapshotAckTimeout());
        slot.state.finish(RunState.Outcome.COMPLETED);
        LOG.infof("[run %s] completed at step %d (attempt %d): %s; nearest words %s", runId, step, attempt, metrics,
                trainer.nearestWords(1));
    }

    private void cancel(RunState state) {
        services.writer().appendAndWait(event(RunCancelled.newBuilder()
                .setReason(slot.cancelReason).setStep(step).build()), services.config().snapshotAckTimeout());
        slot.state.finish(RunState.Outcome.CANCELLED);
        LOG.infof("[run %s] cancelled at step %d: %s", runId, step, slot.cancelReason);
    }

    /**
     * Blocks training while a snapshot is taken, staged and its event acknowledged: the stall the ledger records is
     * the part before the send (the event cannot carry its own acknowledgement time); the metric has all of it.
     */
    private void snapshot(PlppTrainer trainer) {
        long t0 = System.nanoTime();
        byte[] bytes = trainer.snapshot().toBytes();
        SnapshotStaging.Staged staged = services.staging().stage(runId, attempt, step, bytes);
        long stall = System.nanoTime() - t0;
        services.writer().appendAndWait(event(CheckpointSnapshotted.newBuilder()
                .setStep(step).setStallNanos(stall).setStagingUri(staged.file().toUri().toString())
                .setSha256(staged.sha256()).setBytes(staged.bytes()).build()), services.config().snapshotAckTimeout());
        services.metrics().snapshotStall(System.nanoTime() - t0);
        LOG.debugf("[run %s] snapshot at step %d staged as %s", runId, step, staged.file());
    }

    /** Injects a fault; false when the attempt must stop stepping (it was hung and got released). */
    private boolean fault(FailureType type, Map<String, String> parameters, ChaosSettings chaos) {
        Map<String, String> params = new HashMap<>(parameters == null ? Map.of() : parameters);
        if (type == FailureType.STRAGGLER) {
            params.putIfAbsent("factor", Double.toString(chaos == null ? 3.0 : chaos.getStragglerFactor()));
            params.putIfAbsent("seconds", Double.toString(chaos == null ? 10.0 : chaos.getStragglerSeconds()));
        }
        slot.state.faultInjected();
        services.writer().appendAndWait(event(FaultInjected.newBuilder()
                .setType(type).setPlannedAt(Instant.now()).setStep(step).setParameters(params).build()),
                services.config().snapshotAckTimeout());
        LOG.warnf("[run %s] attempt %d: injecting %s at step %d %s", runId, attempt, type, step, params);
        switch (type) {
            case CRASH -> {
                services.writer().flush();
                Runtime.getRuntime().halt(137);
            }
            case HANG -> {
                awaitReleased(slot.state);
                return false;
            }
            case NAN_LOSS -> nanPending = true;
            case STRAGGLER -> {
                stragglerFactor = Double.parseDouble(params.get("factor"));
                stragglerUntil = System.nanoTime() + (long) (Double.parseDouble(params.get("seconds")) * 1e9);
            }
            default -> LOG.warnf("[run %s] fault type %s is not injectable; ignored", runId, type);
        }
        return true;
    }

    /** A straggling step takes factor times as long: the extra time is spent waiting. */
    private long straggle(long stepNanos) {
        if (System.nanoTime() >= stragglerUntil || stragglerFactor <= 1) {
            return stepNanos;
        }
        long extra = (long) (stepNanos * (stragglerFactor - 1));
        LockSupport.parkNanos(extra);
        return stepNanos + extra;
    }

    /** No progress until aborted (RestartRun) or cancelled; heartbeats go on from their own thread. */
    private void awaitReleased(RunState state) {
        while (!aborted && !slot.released && slot.cancelReason == null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        if (!aborted && !slot.released && slot.cancelReason != null) {
            cancel(state);
        }
    }

    private io.trainledger.events.RunEvent event(org.apache.avro.specific.SpecificRecord payload) {
        return services.writer().event(runId, attempt, payload);
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0.0 : v;
    }

    Optional<Thread> thread() {
        return Optional.ofNullable(thread);
    }
}
