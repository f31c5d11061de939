package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.tor.core.TorLedger;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A bounded, human-oriented history of one run: milestones (attempts, checkpoints, failures, recoveries, the end) and
 * a loss curve of steps. Milestones beyond {@code maxEvents} drop the oldest; steps beyond {@code maxSteps} are
 * downsampled by doubling the stride (only steps that are multiples of the stride are kept), so a long run keeps its
 * whole curve at a coarser resolution; the TOR curve likewise. Only events the TOR fold accepted are added
 * (duplicates never appear). An immutable view, assembled by {@link TimelineStore#read} from the store's records.
 */
public final class RunTimeline {
    /** A milestone. {@code step} and {@code failureType} are null when they do not apply. */
    public record Entry(String kind, long eventTimeMicros, int attempt, Long step, String failureType, String detail) {
    }

    /**
     * One step of the loss curve; {@code loss} may be NaN or infinite (a diverged step). The components are the
     * CLIP cross-entropy, the perplexity and the inverted-perplexity terms and the KgCoOp term of the step.
     */
    public record StepPoint(long step, int attempt, long eventTimeMicros, double loss, long stepNanos, double accuracy,
                            double ceLoss, double pplLoss, double ipplLoss, double kgLoss) {
    }

    /**
     * TOR as of an event time: cumulative and over the run's first (shortest) sliding window ({@code NaN} and 0 when
     * there is none).
     */
    public record TorPoint(long eventTimeMicros, double tor, double windowTor, long windowSeconds) {
    }

    private final List<Entry> events;
    private final List<StepPoint> steps;
    private final List<TorPoint> tor;
    private final long stepStride;
    private final long eventsDropped;

    RunTimeline(Deque<Entry> events, List<StepPoint> steps, List<TorPoint> tor, long stepStride, long eventsDropped) {
        this.events = List.copyOf(events);
        this.steps = List.copyOf(steps);
        this.tor = List.copyOf(tor);
        this.stepStride = stepStride;
        this.eventsDropped = eventsDropped;
    }

    /** The TOR curve: points at least a stride of event time apart, thinned to every other point when full. */
    public List<TorPoint> tor() {
        return tor;
    }

    /** Milestones, oldest first. */
    public List<Entry> events() {
        return events;
    }

    /** The loss curve, in the order the steps were folded (a re-run step after a rollback appears again). */
    public List<StepPoint> steps() {
        return steps;
    }

    /** Steps kept are the multiples of this (1 until the step budget first fills). */
    public long stepStride() {
        return stepStride;
    }

    /** Milestones dropped because the budget was full. */
    public long eventsDropped() {
        return eventsDropped;
    }

    /** The milestone an accepted event adds, or null (a step, or an event the timeline does not show). */
    static Entry entryOf(Object p, long t, int attempt) {
        if (p instanceof RunSubmitted s) {
            return new Entry("RUN_SUBMITTED", t, attempt, null, null, s.getIdealStepSeconds() == null
                    ? "steps " + s.getConfig().getSteps() + ", ideal step estimated"
                    : "steps " + s.getConfig().getSteps() + ", ideal step " + s.getIdealStepSeconds() + " s");
        } else if (p instanceof AttemptStarted a) {
            return new Entry("ATTEMPT_STARTED", t, a.getAttempt(), a.getRestoredFromStep(), null,
                    "restored from " + (a.getRestoredFromStep() == null ? "scratch" : "step " + a.getRestoredFromStep())
                            + ", init " + seconds(a.getInitNanos()) + " s, restore " + seconds(a.getRestoreNanos())
                            + " s, device " + a.getDevice());
        } else if (p instanceof EvalCompleted ev) {
            return new Entry("EVAL_COMPLETED", t, attempt, ev.getStep(), null,
                    "base " + ev.getBaseAcc() + ", new " + ev.getNewAcc() + ", hm " + ev.getHm());
        } else if (p instanceof CheckpointSnapshotted s) {
            return new Entry("CHECKPOINT_SNAPSHOTTED", t, attempt, s.getStep(), null,
                    "stall " + seconds(s.getStallNanos()) + " s");
        } else if (p instanceof CheckpointCommitted c) {
            return new Entry("CHECKPOINT_COMMITTED", t, attempt, c.getStep(), null, c.getUri());
        } else if (p instanceof CheckpointRejected r) {
            return new Entry("CHECKPOINT_REJECTED", t, attempt, r.getStep(), null, r.getReason());
        } else if (p instanceof CheckpointDeleted d) {
            return new Entry("CHECKPOINT_DELETED", t, attempt, d.getStep(), null, d.getReason());
        } else if (p instanceof FaultInjected f) {
            return new Entry("FAULT_INJECTED", t, attempt, f.getStep(), f.getType().name(), "chaos ground truth");
        } else if (p instanceof FailureDetected f) {
            long detection = TorLedger.micros(f.getDetectedTime()) - TorLedger.micros(f.getLastProgressTime());
            return new Entry("FAILURE_DETECTED", t, f.getFailedAttempt(), f.getStep(), f.getType().name(),
                    "detected " + secondsOfMicros(detection) + " s after last progress: " + f.getEvidence());
        } else if (p instanceof RecoveryCompleted r) {
            return new Entry("RECOVERY_COMPLETED", t, r.getAttempt(), r.getRestoredStep(), r.getFailureType().name(),
                    "lost " + r.getLostSteps() + " steps, recovery " + seconds(r.getRecoveryNanos()) + " s");
        } else if (p instanceof RunCompleted c) {
            return new Entry("RUN_COMPLETED", t, attempt, c.getFinalStep(), null, "metrics " + c.getMetrics());
        } else if (p instanceof RunCancelled c) {
            return new Entry("RUN_CANCELLED", t, attempt, c.getStep(), null, c.getReason());
        } else if (p instanceof RunRejected r) {
            return new Entry("RUN_REJECTED", t, attempt, null, null, r.getCommand() + ": " + r.getReason());
        }
        return null;
    }

    /**
     * {@code nanos} as seconds with three decimals, rounded half up, exactly as {@code String.format("%.3f", nanos /
     * 1e9)} prints it, without {@code String.format}, whose parsing of the pattern cost 2 % of the aggregator's stream
     * thread on checkpoint milestones alone (JFR). Beyond about three years (never a real duration) it does format.
     */
    static String seconds(long nanos) {
        if (Math.abs(nanos) > 100_000_000_000_000_000L || nanos == Long.MIN_VALUE) {
            return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
        }
        long millis = (Math.abs(nanos) + 500_000) / 1_000_000;
        return (nanos < 0 ? "-" : "") + millis / 1000 + "." + Long.toString(1000 + millis % 1000).substring(1);
    }

    /** {@link #seconds} of a duration in microseconds. */
    static String secondsOfMicros(long micros) {
        return Math.abs(micros) < 1_000_000_000_000_000L ? seconds(micros * 1000)
                : String.format(Locale.ROOT, "%.3f", micros / 1e6);
    }
}
