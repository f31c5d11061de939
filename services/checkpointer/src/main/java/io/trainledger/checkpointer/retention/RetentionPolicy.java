package io.trainledger.checkpointer.retention;

import io.trainledger.checkpointer.ledger.CommittedCheckpoint;
import io.trainledger.events.CheckpointPolicy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which committed checkpoints of a run retention removes: keep the newest {@code keepLast} (at least one: the newest
 * committed checkpoint is never removed), and also every checkpoint whose step is a multiple of
 * {@code keepEvery x intervalSteps} when {@code keepEvery > 0}. Pure: no I/O.
 */
public final class RetentionPolicy {

    /** A checkpoint retention removes, and the rule that removes it (goes into CheckpointDeleted.reason). */
    public record Expired(CommittedCheckpoint checkpoint, String reason) {
    }

    private RetentionPolicy() {
    }

    /** The checkpoints to delete, oldest first. */
    public static List<Expired> expired(List<CommittedCheckpoint> committed, CheckpointPolicy policy) {
        if (policy == null || committed.isEmpty()) {
            return List.of();
        }
        List<CommittedCheckpoint> byStep = new ArrayList<>(committed);
        byStep.sort(Comparator.comparingLong(CommittedCheckpoint::step));
        int keepLast = Math.max(1, policy.getKeepLast());
        long period = policy.getKeepEvery() > 0 ? (long) policy.getKeepEvery() * Math.max(1, policy.getIntervalSteps()) : 0;
        List<Expired> expired = new ArrayList<>();
        int candidates = byStep.size() - keepLast;
        for (int i = 0; i < candidates; i++) {
            CommittedCheckpoint c = byStep.get(i);
            if (period > 0 && c.step() % period == 0) {
                continue;
            }
            String reason = "retention: keepLast=" + keepLast + " (" + (byStep.size() - i - 1) + " newer committed)"
                    + (period > 0 ? ", step not a multiple of keepEvery x intervalSteps = " + period : ", keepEvery=0");
            expired.add(new Expired(c, reason));
        }
        return expired;
    }
}
