package io.trainledger.checkpointer.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.checkpointer.ledger.CommittedCheckpoint;
import io.trainledger.events.CheckpointPolicy;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void keepsTheLastK() {
        List<CommittedCheckpoint> committed = checkpoints(10, 20, 30, 40, 50);
        assertThat(steps(RetentionPolicy.expired(committed, policy(10, 3, 0)))).containsExactly(10L, 20L);
    }

    @Test
    void alsoKeepsEveryNthMultipleOfTheInterval() {
        // interval 10, keepEvery 3: steps that are multiples of 30 survive however old they are.
        List<CommittedCheckpoint> committed = checkpoints(LongStream.rangeClosed(1, 10).map(i -> i * 10).toArray());
        List<RetentionPolicy.Expired> expired = RetentionPolicy.expired(committed, policy(10, 2, 3));
        assertThat(steps(expired)).containsExactly(10L, 20L, 40L, 50L, 70L, 80L);
        assertThat(expired.get(0).reason()).contains("keepLast=2").contains("= 30");
    }

    @Test
    void neverDeletesTheNewestEvenWithKeepLastZero() {
        List<CommittedCheckpoint> committed = checkpoints(10, 20, 30);
        assertThat(steps(RetentionPolicy.expired(committed, policy(10, 0, 0)))).containsExactly(10L, 20L);
        assertThat(RetentionPolicy.expired(checkpoints(10), policy(10, 0, 0))).isEmpty();
    }

    @Test
    void unorderedInputAndNothingToDo() {
        assertThat(steps(RetentionPolicy.expired(checkpoints(50, 10, 30, 20), policy(10, 3, 0)))).containsExactly(10L);
        assertThat(RetentionPolicy.expired(checkpoints(10, 20), policy(10, 3, 0))).isEmpty();
        assertThat(RetentionPolicy.expired(checkpoints(10, 20), null)).isEmpty();
    }

    private static CheckpointPolicy policy(int interval, int keepLast, int keepEvery) {
        return CheckpointPolicy.newBuilder().setIntervalSteps(interval).setAdaptive(false).setKeepLast(keepLast)
                .setKeepEvery(keepEvery).build();
    }

    private static List<CommittedCheckpoint> checkpoints(long... steps) {
        return LongStream.of(steps).mapToObj(s -> new CommittedCheckpoint("run", 1, s, String.format("%064x", s),
                "file:///x/" + s, 100, 1, Instant.EPOCH)).toList();
    }

    private static List<Long> steps(List<RetentionPolicy.Expired> expired) {
        return expired.stream().map(e -> e.checkpoint().step()).toList();
    }
}
