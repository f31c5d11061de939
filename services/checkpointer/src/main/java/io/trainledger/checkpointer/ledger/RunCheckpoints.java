package io.trainledger.checkpointer.ledger;

import io.trainledger.checkpointer.adaptive.AdaptiveInterval;
import io.trainledger.events.CheckpointPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the checkpointer knows about one run, folded from the ledger (and the commands topic): its checkpoint policy,
 * its live committed checkpoints, which snapshots were already decided (committed or rejected), and the running
 * estimates the adaptive interval needs. Thread-safe (every method synchronises on the instance).
 */
public final class RunCheckpoints {
    private final String runId;
    private CheckpointPolicy submittedPolicy;
    private CheckpointPolicy commandedPolicy;
    private boolean finished;
    private final TreeMap<Long, CommittedCheckpoint> committed = new TreeMap<>();
    private final Set<String> decided = new HashSet<>();
    private final Set<String> removed = new HashSet<>();
    private int partition = -1;

    private long snapshots;
    private long stallNanos;
    private long steps;
    private long stepNanos;
    private long failures;
    private Instant firstEventTime;
    private Instant lastEventTime;
    private Integer lastRecommendedSteps;

    RunCheckpoints(String runId) {
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }

    /** Current policy: the last SetCheckpointPolicy command, else the one submitted with the run; null if unknown. */
    public synchronized CheckpointPolicy policy() {
        return commandedPolicy != null ? commandedPolicy : submittedPolicy;
    }

    synchronized void submitted(CheckpointPolicy policy) {
        submittedPolicy = policy;
    }

    synchronized void commanded(CheckpointPolicy policy) {
        commandedPolicy = policy;
    }

    public synchronized boolean finished() {
        return finished;
    }

    synchronized void finish() {
        finished = true;
    }

    /** Ledger partition of the run (-1 until an event of it was read). */
    public synchronized int partition() {
        return partition;
    }

    synchronized void seenIn(int partition, Instant eventTime) {
        this.partition = partition;
        if (eventTime != null) {
            if (firstEventTime == null || eventTime.isBefore(firstEventTime)) {
                firstEventTime = eventTime;
            }
            if (lastEventTime == null || eventTime.isAfter(lastEventTime)) {
                lastEventTime = eventTime;
            }
        }
    }

    /** Whether a snapshot (step, sha256) already has a CheckpointCommitted or CheckpointRejected. */
    public synchronized boolean decided(long step, String sha256) {
        return decided.contains(key(step, sha256));
    }

    synchronized void decide(long step, String sha256) {
        decided.add(key(step, sha256));
    }

    synchronized void commit(CommittedCheckpoint checkpoint) {
        String key = key(checkpoint.step(), checkpoint.sha256());
        decided.add(key);
        // A commit read back after this instance already deleted or saw the rejection of it stays removed.
        if (!removed.contains(key)) {
            committed.put(checkpoint.step(), checkpoint);
        }
    }

    /** Removes a live committed checkpoint (deleted by retention, or rejected at restore); null sha matches any. */
    synchronized Optional<CommittedCheckpoint> remove(long step, String sha256) {
        if (sha256 != null) {
            removed.add(key(step, sha256));
        }
        CommittedCheckpoint c = committed.get(step);
        if (c != null && (sha256 == null || c.sha256().equals(sha256))) {
            committed.remove(step);
            return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Live committed checkpoints, oldest step first. */
    public synchronized List<CommittedCheckpoint> committed() {
        return new ArrayList<>(committed.values());
    }

    /** The newest live committed checkpoint. */
    public synchronized Optional<CommittedCheckpoint> latest() {
        return committed.isEmpty() ? Optional.empty() : Optional.of(committed.lastEntry().getValue());
    }

    /** The live committed checkpoint at {@code step}. */
    public synchronized Optional<CommittedCheckpoint> at(long step) {
        return Optional.ofNullable(committed.get(step));
    }

    synchronized boolean references(String sha256) {
        return committed.values().stream().anyMatch(c -> c.sha256().equals(sha256));
    }

    synchronized void snapshotted(long stall) {
        snapshots++;
        stallNanos += stall;
    }

    synchronized void stepped(long nanos) {
        steps++;
        stepNanos += nanos;
    }

    synchronized void failed() {
        failures++;
    }

    /** The estimates the adaptive interval works from. */
    public synchronized AdaptiveInterval.Observations observations() {
        double exposure = firstEventTime == null ? 0
                : java.time.Duration.between(firstEventTime, lastEventTime).toNanos() / 1e9;
        return new AdaptiveInterval.Observations(snapshots, snapshots == 0 ? 0 : stallNanos / 1e9 / snapshots,
                steps, steps == 0 ? 0 : stepNanos / 1e9 / steps, failures, exposure);
    }

    /** Interval (steps) this instance last asked for, so that it does not ask twice before the command is read back. */
    public synchronized Integer lastRecommendedSteps() {
        return lastRecommendedSteps;
    }

    public synchronized void recommended(int steps) {
        lastRecommendedSteps = steps;
    }

    private static String key(long step, String sha256) {
        return step + ":" + sha256;
    }
}
