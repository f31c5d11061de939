package io.trainledger.trainer;

import io.trainledger.events.RunConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the ledger says about one run, as far as its executor needs it: the submitted config, the last attempt (the
 * fencing token), the committed checkpoints, the checkpoints already rejected, and whether the run is finished.
 * Built by {@link RunHistory}; mutable, owned by one thread at a time.
 */
public final class RunState {
    /** A committed checkpoint: its step, where it is and what its bytes hash to. */
    public record Committed(long step, String uri, String sha256, long ledgerOrder) {
    }

    /** How a run ended, if it did. */
    public enum Outcome { RUNNING, COMPLETED, CANCELLED }

    private final String runId;
    private final int partition;
    private final RunConfig config;
    private final Double idealStepSeconds;
    private final String submitCommandId;
    private final List<Committed> committed = new ArrayList<>();
    private final Set<String> rejectedUris = new HashSet<>();
    private int lastAttempt;
    private Outcome outcome = Outcome.RUNNING;
    private int faultsInjected;
    private long lastStep;

    public RunState(String runId, int partition, RunConfig config, Double idealStepSeconds, String submitCommandId) {
        this.runId = runId;
        this.partition = partition;
        this.config = config;
        this.idealStepSeconds = idealStepSeconds;
        this.submitCommandId = submitCommandId;
    }

    public String runId() {
        return runId;
    }

    /** Partition of the run's key on the (equally partitioned) commands and ledger topics. */
    public int partition() {
        return partition;
    }

    public RunConfig config() {
        return config;
    }

    public Double idealStepSeconds() {
        return idealStepSeconds;
    }

    public String submitCommandId() {
        return submitCommandId;
    }

    /** The highest attempt number seen (0: no attempt started yet). */
    public int lastAttempt() {
        return lastAttempt;
    }

    public void attemptStarted(int attempt) {
        lastAttempt = Math.max(lastAttempt, attempt);
    }

    public Outcome outcome() {
        return outcome;
    }

    public boolean finished() {
        return outcome != Outcome.RUNNING;
    }

    public void finish(Outcome o) {
        outcome = o;
    }

    public int faultsInjected() {
        return faultsInjected;
    }

    public void faultInjected() {
        faultsInjected++;
    }

    /** The highest step reported by any attempt. */
    public long lastStep() {
        return lastStep;
    }

    public void stepCompleted(long step) {
        lastStep = Math.max(lastStep, step);
    }

    public void committed(Committed c) {
        committed.add(c);
    }

    public void rejected(String uri) {
        if (uri != null) {
            rejectedUris.add(uri);
        }
    }

    /**
     * Committed checkpoints to try on restore, best first: highest step, then the most recently committed; those
     * already rejected are left out.
     */
    public List<Committed> restoreCandidates() {
        return committed.stream()
                .filter(c -> !rejectedUris.contains(c.uri()))
                .sorted(Comparator.comparingLong(Committed::step).thenComparingLong(Committed::ledgerOrder).reversed())
                .toList();
    }
}
