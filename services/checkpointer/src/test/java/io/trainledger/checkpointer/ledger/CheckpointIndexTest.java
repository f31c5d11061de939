package io.trainledger.checkpointer.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CheckpointIndexTest {
    private final RunEventFactory run = new RunEventFactory("r1", 7);
    private final CheckpointIndex index = new CheckpointIndex();

    @Test
    void foldsCommitsRejectionsAndDeletionsIntoTheLiveSet() {
        index.fold(run.submitted(0, null, 100, 10), 2);
        index.fold(run.committed(1_000_000, 1, 10), 2);
        index.fold(run.committed(2_000_000, 1, 20), 2);
        index.fold(run.committed(3_000_000, 1, 30), 2);
        RunCheckpoints r = index.run("r1").orElseThrow();
        assertThat(r.partition()).isEqualTo(2);
        assertThat(r.latest().orElseThrow().step()).isEqualTo(30);

        // Rejected at restore (no hash given): no longer served; the previous one becomes the latest.
        index.fold(run.rejected(4_000_000, 2, 30, "corrupt"), 2);
        assertThat(r.latest().orElseThrow().step()).isEqualTo(20);

        index.fold(deleted(10, String.format("%064x", 10)), 2);
        assertThat(r.committed()).extracting(CommittedCheckpoint::step).containsExactly(20L);
        assertThat(r.decided(10, String.format("%064x", 10))).isTrue();
        assertThat(index.referenced(String.format("%064x", 20))).isTrue();
        assertThat(index.referenced(String.format("%064x", 10))).isFalse();
    }

    @Test
    void aCommitReadBackAfterItsDeletionStaysDeleted() {
        String sha = String.format("%064x", 10);
        index.deleted("r1", 10, sha); // this instance deleted it before its view read the commit back
        index.fold(run.committed(1_000_000, 1, 10), 0);
        assertThat(index.run("r1").orElseThrow().committed()).isEmpty();
        assertThat(index.run("r1").orElseThrow().decided(10, sha)).isTrue();
    }

    @Test
    void aCommandedPolicyWinsOverTheSubmittedOne() {
        index.fold(run.submitted(0, null, 100, 10), 0);
        assertThat(index.run("r1").orElseThrow().policy().getIntervalSteps()).isEqualTo(10);
        CheckpointPolicy commanded = CheckpointPolicy.newBuilder().setIntervalSteps(25).build();
        index.fold(RunCommand.newBuilder().setCommandId(UUID.randomUUID()).setRunId("r1").setIssuedAt(Instant.now())
                .setIssuedBy(RunEvents.source("cli", "t"))
                .setPayload(SetCheckpointPolicy.newBuilder().setPolicy(commanded).build()).build());
        index.fold(run.submitted(0, null, 100, 10), 0); // replayed or read late: still the command's
        assertThat(index.run("r1").orElseThrow().policy().getIntervalSteps()).isEqualTo(25);
    }

    @Test
    void estimatesForTheAdaptiveInterval() {
        index.fold(run.submitted(0, null, 100, 10), 0);
        for (int s = 1; s <= 4; s++) {
            index.fold(run.step(s * 500_000L, 1, s, 500_000_000L), 0);
        }
        index.fold(run.snapshotted(2_500_000, 1, 4, 2_000_000_000L), 0);
        index.fold(run.failureDetected(50_000_000, 1, FailureType.CRASH, 2_000_000, 4), 0);
        index.fold(run.failureDetected(100_000_000, 2, FailureType.STRAGGLER, 60_000_000, 4), 0);
        var o = index.run("r1").orElseThrow().observations();
        assertThat(o.snapshots()).isEqualTo(1);
        assertThat(o.meanStallSeconds()).isEqualTo(2.0);
        assertThat(o.steps()).isEqualTo(4);
        assertThat(o.meanStepSeconds()).isEqualTo(0.5);
        assertThat(o.failures()).as("stragglers are not rollback failures").isEqualTo(1);
        assertThat(o.exposureSeconds()).isEqualTo(100.0);
        assertThat(o.mtbfSeconds()).isEqualTo(100.0);
    }

    private RunEvent deleted(long step, String sha) {
        return RunEvents.of("r1", 1, RunEvents.source("checkpointer", "t"), CheckpointDeleted.newBuilder().setStep(step)
                .setUri("file:///x").setSha256(sha).setReason("test").build());
    }
}
