package io.trainledger.testing;

import io.trainledger.commands.CancelRun;
import io.trainledger.commands.InjectFault;
import io.trainledger.commands.RestartRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.commands.SubmitRun;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.schemas.RunEvents;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** One record of every type of the contract, with every optional field set, for round-trip tests. */
final class SampleRecords {
    static final EventSource SOURCE = RunEvents.source("test", "sample");
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00.123456Z");

    private SampleRecords() {
    }

    static RunConfig config() {
        return RunConfig.newBuilder()
                .setMethod(PromptMethod.PLPP).setDataset("hue-shift").setSeed(7).setSteps(800)
                .setContextInit("a photo of a")
                .setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(50).build())
                .setChaos(ChaosSettings.newBuilder().setMtbfSeconds(30).setMix(Map.of("CRASH", 1.0, "HANG", 0.5))
                        .setSeed(3).setMaxFaults(10).build())
                .setLabels(Map.of("team", "vision"))
                .build();
    }

    /** Every payload type of the ledger. */
    static List<SpecificRecord> payloads() {
        return List.of(
                RunSubmitted.newBuilder().setConfig(config()).setIdealStepSeconds(0.007).setSubmittedBy("alice")
                        .setCommandId(UUID.randomUUID().toString()).build(),
                RunRejected.newBuilder().setCommand("SubmitRun").setField("config.learningRate")
                        .setReason("must be > 0, was -1.0").build(),
                AttemptStarted.newBuilder().setAttempt(2).setRestoredFromStep(100L).setInitNanos(1_500_000_000L)
                        .setRestoreNanos(20_000_000L).setDevice("cpu").setCheckpointUri("file:///ckpt/ab").build(),
                StepCompleted.newBuilder().setStep(101).setEpoch(3).setStepNanos(7_000_000L).setLoss(1.25)
                        .setCeLoss(1.0).setPplLoss(0.2).setIpplLoss(0.05).setKgLoss(0.0).setAccuracy(0.75)
                        .setSamples(32).setLr(0.002).build(),
                EvalCompleted.newBuilder().setStep(800).setEpoch(49).setBaseAcc(0.9).setNewAcc(0.7).setHm(0.7875)
                        .setEvalNanos(120_000_000L).build(),
                CheckpointSnapshotted.newBuilder().setStep(150).setStallNanos(3_000_000L).setStagingUri("file:///staging/x")
                        .setSha256("ab".repeat(32)).setBytes(4096).build(),
                CheckpointCommitted.newBuilder().setStep(150).setUri("file:///ckpt/ab").setSha256("ab".repeat(32))
                        .setBytes(4096).setPersistNanos(9_000_000L).build(),
                CheckpointRejected.newBuilder().setStep(150).setUri("file:///ckpt/ab").setSha256("ab".repeat(32))
                        .setReason("sha256 mismatch").build(),
                CheckpointDeleted.newBuilder().setStep(50).setUri("file:///ckpt/cd").setSha256("cd".repeat(32))
                        .setReason("keepLast=3").build(),
                FaultInjected.newBuilder().setType(FailureType.HANG).setPlannedAt(T0).setStep(120)
                        .setParameters(Map.of("durationSeconds", "30")).build(),
                FailureDetected.newBuilder().setType(FailureType.CRASH).setLastProgressTime(T0)
                        .setDetectedTime(T0.plusSeconds(5)).setStep(120).setFailedAttempt(1)
                        .setEvidence("no heartbeat for 5.2 s, timeout 5.0 s").build(),
                RecoveryCompleted.newBuilder().setAttempt(2).setRestoredStep(100).setLostSteps(20)
                        .setFailureType(FailureType.CRASH).setRecoveryNanos(8_000_000_000L).build(),
                RunCompleted.newBuilder().setFinalStep(800).setMetrics(Map.of("hm", 0.79, "baseAcc", 0.9))
                        .setCheckpointUri("file:///ckpt/final").build(),
                RunCancelled.newBuilder().setReason("user request").setStep(42).build());
    }

    static List<RunEvent> runEvents(String runId) {
        return payloads().stream().map(p -> RunEvents.at(runId, 1, SOURCE, T0, p)).toList();
    }

    static Heartbeat heartbeat(String runId) {
        return Heartbeat.newBuilder().setRunId(runId).setAttempt(2).setStep(101).setLastStepTime(T0).setSequence(17)
                .setEventTime(T0.plusMillis(500)).setSource(SOURCE).build();
    }

    static List<RunCommand> commands(String runId) {
        List<Object> payloads = List.of(
                SubmitRun.newBuilder().setConfig(config()).setIdealStepSeconds(0.007).build(),
                CancelRun.newBuilder().setReason("enough").build(),
                RestartRun.newBuilder().setReason("hang").setCause(FailureType.HANG).setFailedAttempt(1).build(),
                SetCheckpointPolicy.newBuilder().setPolicy(CheckpointPolicy.newBuilder().setIntervalSteps(25).build())
                        .setReason("Daly optimum moved").build(),
                InjectFault.newBuilder().setType(FailureType.NAN_LOSS).build());
        return payloads.stream().map(p -> RunCommand.newBuilder().setCommandId(UUID.randomUUID()).setRunId(runId)
                .setIssuedAt(T0).setIssuedBy(SOURCE).setPayload(p).build()).toList();
    }
}
