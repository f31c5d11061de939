package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.schemas.RunEvents;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class RunHistoryTest {
    private final RunHistory history = new RunHistory();

    private void apply(String runId, int attempt, SpecificRecord payload) {
        RunEvent e = RunEvents.of(runId, attempt, RunEvents.source("test", "t"), payload);
        history.apply(2, e);
    }

    private static RunSubmitted submitted() {
        return RunSubmitted.newBuilder().setConfig(TestConfigs.small(PromptMethod.COOP, 100, 10).build())
                .setCommandId("c-1").build();
    }

    private static AttemptStarted started(int attempt) {
        return AttemptStarted.newBuilder().setAttempt(attempt).setInitNanos(1).setRestoreNanos(0).setDevice("cpu()")
                .build();
    }

    private static CheckpointCommitted committed(long step, String uri) {
        return CheckpointCommitted.newBuilder().setStep(step).setUri(uri).setSha256("ab").setBytes(10)
                .setPersistNanos(1).build();
    }

    private static StepCompleted step(long s) {
        return StepCompleted.newBuilder().setStep(s).setEpoch(0).setStepNanos(1).setLoss(1).setCeLoss(1)
                .setAccuracy(0.5).setSamples(16).setLr(0.002).build();
    }

    @Test
    void anUnfinishedRunWithAttemptsAndCommits() {
        apply("r1", 0, submitted());
        apply("r1", 1, started(1));
        apply("r1", 1, step(1));
        apply("r1", 1, step(20));
        apply("r1", 1, committed(10, "file:///s/10"));
        apply("r1", 1, committed(20, "file:///s/20"));
        apply("r1", 2, started(2));
        apply("r1", 2, step(15));

        RunState run = history.run("r1").orElseThrow();
        assertThat(run.partition()).isEqualTo(2);
        assertThat(run.submitCommandId()).isEqualTo("c-1");
        assertThat(run.lastAttempt()).isEqualTo(2);
        assertThat(run.lastStep()).isEqualTo(20);
        assertThat(run.finished()).isFalse();
        assertThat(run.restoreCandidates()).extracting(RunState.Committed::step).containsExactly(20L, 10L);
    }

    @Test
    void rejectedCheckpointsAreNotCandidatesAgain() {
        apply("r1", 0, submitted());
        apply("r1", 1, committed(10, "file:///s/10"));
        apply("r1", 1, committed(20, "file:///s/20"));
        apply("r1", 2, CheckpointRejected.newBuilder().setStep(20).setUri("file:///s/20").setReason("sha").build());
        assertThat(history.run("r1").orElseThrow().restoreCandidates()).extracting(RunState.Committed::uri)
                .containsExactly("file:///s/10");
    }

    @Test
    void sameStepCommittedTwicePrefersTheLatest() {
        apply("r1", 0, submitted());
        apply("r1", 1, committed(10, "file:///a"));
        apply("r1", 2, committed(10, "file:///b"));
        assertThat(history.run("r1").orElseThrow().restoreCandidates()).extracting(RunState.Committed::uri)
                .containsExactly("file:///b", "file:///a");
    }

    @Test
    void completedAndCancelledRunsAreFinished() {
        apply("done", 0, submitted());
        apply("done", 1, started(1));
        apply("done", 1, RunCompleted.newBuilder().setFinalStep(100).setMetrics(Map.of()).build());
        apply("gone", 0, submitted());
        apply("gone", 1, RunCancelled.newBuilder().setReason("user").build());
        assertThat(history.run("done").orElseThrow().outcome()).isEqualTo(RunState.Outcome.COMPLETED);
        assertThat(history.run("gone").orElseThrow().outcome()).isEqualTo(RunState.Outcome.CANCELLED);
    }

    @Test
    void faultsAreCountedAndUnsubmittedRunsIgnored() {
        apply("r1", 0, submitted());
        apply("r1", 1, FaultInjected.newBuilder().setType(FailureType.CRASH).setPlannedAt(Instant.now()).setStep(5)
                .build());
        apply("rejected", 0, RunRejected.newBuilder().setCommand("SubmitRun").setField("topK").setReason("x")
                .build());
        apply("stray", 3, step(4));
        assertThat(history.run("r1").orElseThrow().faultsInjected()).isEqualTo(1);
        assertThat(history.run("rejected")).isEmpty();
        assertThat(history.run("stray")).isEmpty();
        assertThat(history.runs()).hasSize(1);
    }
}
