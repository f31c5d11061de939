package io.trainledger.checkpointer.adaptive;

import io.trainledger.events.CheckpointPolicy;
import io.trainledger.tor.core.TorEquations;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides when an adaptive run's checkpoint interval should move towards the optimum (docs/TOR.md: Young 1974,
 * Daly 2006). From the ledger: the blocking save cost delta = mean {@code CheckpointSnapshotted.stallNanos}, the step
 * time = mean {@code StepCompleted.stepNanos}, and the MTBF M = the run's observed event-time span / the number of
 * rollback {@code FailureDetected} verdicts. The optimal interval in seconds (Young sqrt(2 delta M) or Daly's
 * refinement, from {@link TorEquations}) divided by the step time is the optimum in steps; a change is proposed when
 * it differs from the current interval by more than {@code threshold} (a fraction of the current interval).
 *
 * <p>Pure: no I/O, no clock.
 */
public final class AdaptiveInterval {

    /** Which optimum. */
    public enum Formula { YOUNG, DALY }

    /**
     * @param enabled          master switch
     * @param threshold        propose a change when |optimum - current| / current exceeds this
     * @param formula          Young or Daly
     * @param minFailures      failures needed before M is estimated (with none, M is unbounded and so is the optimum)
     * @param minSnapshots     snapshots needed before delta is estimated
     * @param minIntervalSteps lower clamp of the proposal
     * @param maxIntervalSteps upper clamp of the proposal
     */
    public record Settings(boolean enabled, double threshold, Formula formula, int minFailures, int minSnapshots,
                           int minIntervalSteps, int maxIntervalSteps) {
        public Settings {
            if (!(threshold >= 0)) {
                throw new IllegalArgumentException("threshold must be >= 0: " + threshold);
            }
            if (minIntervalSteps < 1 || maxIntervalSteps < minIntervalSteps) {
                throw new IllegalArgumentException("need 1 <= minIntervalSteps <= maxIntervalSteps");
            }
        }
    }

    /**
     * What the ledger says about a run so far.
     *
     * @param snapshots         CheckpointSnapshotted count
     * @param meanStallSeconds  mean blocking save cost delta, seconds
     * @param steps             StepCompleted count
     * @param meanStepSeconds   mean step time, seconds
     * @param failures          rollback failures detected
     * @param exposureSeconds   event-time span of the run so far, seconds
     */
    public record Observations(long snapshots, double meanStallSeconds, long steps, double meanStepSeconds,
                               long failures, double exposureSeconds) {
        /** Observed mean time between failures, seconds (infinite without failures). */
        public double mtbfSeconds() {
            return failures == 0 ? Double.POSITIVE_INFINITY : exposureSeconds / failures;
        }
    }

    /** A proposed interval and the numbers behind it. */
    public record Recommendation(int currentSteps, int optimalSteps, double optimalSeconds, double deltaSeconds,
                                 double mtbfSeconds, double stepSeconds, Formula formula) {
        /** Human-readable reason for SetCheckpointPolicy.reason. */
        public String reason() {
            return String.format(Locale.ROOT,
                    "%s optimum moved from %d to %d steps (delta %.3f s, MTBF %.1f s, step %.4f s, optimum %.2f s)",
                    formula == Formula.DALY ? "Daly" : "Young", currentSteps, optimalSteps, deltaSeconds, mtbfSeconds,
                    stepSeconds, optimalSeconds);
        }

        /** The policy with the new interval, everything else unchanged. */
        public CheckpointPolicy apply(CheckpointPolicy policy) {
            return CheckpointPolicy.newBuilder(policy).setIntervalSteps(optimalSteps).build();
        }
    }

    private final Settings settings;

    public AdaptiveInterval(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** The optimal interval in seconds for a blocking save cost and an MTBF, by the configured formula. */
    public double optimalSeconds(double deltaSeconds, double mtbfSeconds) {
        return settings.formula() == Formula.DALY ? TorEquations.dalyInterval(deltaSeconds, mtbfSeconds)
                : TorEquations.youngInterval(deltaSeconds, mtbfSeconds);
    }

    /**
     * The optimum in steps, clamped to the configured bounds; empty when the observations do not support an
     * estimate yet.
     */
    public Optional<Integer> optimalSteps(Observations o) {
        if (o.snapshots() < Math.max(1, settings.minSnapshots()) || o.steps() < 1 || !(o.meanStepSeconds() > 0)
                || o.failures() < Math.max(1, settings.minFailures()) || !(o.exposureSeconds() > 0)) {
            return Optional.empty();
        }
        double seconds = optimalSeconds(o.meanStallSeconds(), o.mtbfSeconds());
        long steps = Math.round(seconds / o.meanStepSeconds());
        return Optional.of((int) Math.max(settings.minIntervalSteps(), Math.min(settings.maxIntervalSteps(), steps)));
    }

    /**
     * A new interval for the run when its policy is adaptive and the optimum moved by more than the threshold from
     * {@code currentSteps} (the policy's interval, or the interval this instance last asked for).
     */
    public Optional<Recommendation> evaluate(CheckpointPolicy policy, int currentSteps, Observations o) {
        if (!settings.enabled() || policy == null || !policy.getAdaptive() || currentSteps < 1) {
            return Optional.empty();
        }
        Optional<Integer> optimum = optimalSteps(o);
        if (optimum.isEmpty()) {
            return Optional.empty();
        }
        int optimal = optimum.get();
        double moved = Math.abs(optimal - currentSteps) / (double) currentSteps;
        if (moved <= settings.threshold() || optimal == currentSteps) {
            return Optional.empty();
        }
        return Optional.of(new Recommendation(currentSteps, optimal,
                optimalSeconds(o.meanStallSeconds(), o.mtbfSeconds()), o.meanStallSeconds(), o.mtbfSeconds(),
                o.meanStepSeconds(), settings.formula()));
    }
}
