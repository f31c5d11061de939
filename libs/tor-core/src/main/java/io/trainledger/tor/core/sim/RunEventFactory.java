package io.trainledger.tor.core.sim;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the {@link RunEvent}s of one run with deterministic event ids (derived from a seed and a counter), so tests,
 * the simulator and benchmarks write short, exact event sequences. Times are microseconds since the epoch.
 */
public final class RunEventFactory {

    private static final EventSource TRAINER = new EventSource("trainer", "sim-trainer");
    private static final EventSource CHECKPOINTER = new EventSource("checkpointer", "sim-checkpointer");
    private static final EventSource MONITOR = new EventSource("failure-monitor", "sim-monitor");
    private static final EventSource CHAOS = new EventSource("simulator", "sim-chaos");

    private final String runId;
    private final long idSeed;
    private long counter;

    public RunEventFactory(String runId, long idSeed) {
        this.runId = runId;
        this.idSeed = idSeed;
    }

    public String runId() {
        return runId;
    }

    /** RunSubmitted; {@code idealStepSeconds} null lets TOR estimate t_ideal. */
    public RunEvent submitted(long t, Double idealStepSeconds, long steps, int checkpointIntervalSteps) {
        RunConfig config = RunConfig.newBuilder().setMethod(PromptMethod.COOP).setDataset("simulated").setSeed(idSeed)
                .setSteps(steps)
                .setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(Math.max(1, checkpointIntervalSteps)).build())
                .build();
        return event(t, 0, TRAINER, RunSubmitted.newBuilder().setConfig(config).setIdealStepSeconds(idealStepSeconds).build());
    }

    public RunEvent attemptStarted(long t, int attempt, Long restoredFromStep, long initNanos, long restoreNanos) {
        return event(t, attempt, TRAINER, AttemptStarted.newBuilder().setAttempt(attempt).setRestoredFromStep(restoredFromStep)
                .setInitNanos(initNanos).setRestoreNanos(restoreNanos).setDevice("cpu").build());
    }

    public RunEvent step(long t, int attempt, long step, long stepNanos) {
        return step(t, attempt, step, stepNanos, 1.0);
    }

    public RunEvent step(long t, int attempt, long step, long stepNanos, double loss) {
        return event(t, attempt, TRAINER, StepCompleted.newBuilder().setStep(step).setEpoch(0).setStepNanos(stepNanos)
                .setLoss(loss).setCeLoss(loss).setAccuracy(0.5).setSamples(32).setLr(0.002).build());
    }

    public RunEvent snapshotted(long t, int attempt, long step, long stallNanos) {
        return event(t, attempt, TRAINER, CheckpointSnapshotted.newBuilder().setStep(step).setStallNanos(stallNanos)
                .setStagingUri("file:///staging/" + runId + "/" + step).setSha256(sha(step)).setBytes(4096).build());
    }

    public RunEvent committed(long t, int attempt, long step) {
        return event(t, attempt, CHECKPOINTER, CheckpointCommitted.newBuilder().setStep(step)
                .setUri("file:///ckpt/" + sha(step)).setSha256(sha(step)).setBytes(4096).setPersistNanos(1_000_000).build());
    }

    /** A snapshot rejected at commit by the checkpointer ({@code attempt} = the snapshot's attempt). */
    public RunEvent rejected(long t, int attempt, long step, String reason) {
        return event(t, attempt, CHECKPOINTER, CheckpointRejected.newBuilder().setStep(step).setReason(reason).build());
    }

    /** A committed checkpoint rejected at restore by the trainer ({@code attempt} = the restoring attempt). */
    public RunEvent rejectedAtRestore(long t, int attempt, long step, String reason) {
        return event(t, attempt, TRAINER, CheckpointRejected.newBuilder().setStep(step).setUri("file:///ckpt/" + sha(step))
                .setSha256(sha(step)).setReason(reason).build());
    }

    public RunEvent faultInjected(long t, int attempt, FailureType type, long plannedAt, long step) {
        return event(t, attempt, CHAOS, FaultInjected.newBuilder().setType(type).setPlannedAt(instant(plannedAt))
                .setStep(step).setParameters(Map.of()).build());
    }

    public RunEvent failureDetected(long t, int failedAttempt, FailureType type, long lastProgress, long step) {
        return event(t, failedAttempt, MONITOR, FailureDetected.newBuilder().setType(type)
                .setLastProgressTime(instant(lastProgress)).setDetectedTime(instant(t)).setStep(step)
                .setFailedAttempt(failedAttempt).setEvidence("simulated " + type).build());
    }

    public RunEvent recovered(long t, int attempt, FailureType type, long restoredStep, long lostSteps, long recoveryNanos) {
        return event(t, attempt, MONITOR, RecoveryCompleted.newBuilder().setAttempt(attempt).setRestoredStep(restoredStep)
                .setLostSteps(lostSteps).setFailureType(type).setRecoveryNanos(recoveryNanos).build());
    }

    public RunEvent completed(long t, int attempt, long finalStep) {
        return event(t, attempt, TRAINER, RunCompleted.newBuilder().setFinalStep(finalStep).setMetrics(Map.of()).build());
    }

    public RunEvent cancelled(long t, int attempt, long step, String reason) {
        return event(t, attempt, TRAINER, RunCancelled.newBuilder().setReason(reason).setStep(step).build());
    }

    /** Microseconds since the epoch as the Instant Avro's timestamp-micros maps to. */
    public static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    private RunEvent event(long t, int attempt, EventSource source, Object payload) {
        UUID id = new UUID(idSeed, ++counter);
        return RunEvent.newBuilder().setEventId(id).setRunId(runId).setAttempt(attempt).setSource(source)
                .setEventTime(instant(t)).setPayload(payload).build();
    }

    private static String sha(long step) {
        return String.format("%064x", step);
    }
}
