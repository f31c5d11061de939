package io.trainledger.monitor;

import io.trainledger.events.FailureType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The thresholds the detector applies, as plain values so that topology tests build them without Quarkus.
 * Defaults (see README): heartbeats every 500 ms, so a 5 s silence is ten missed beats; a hang needs no step
 * progress for max(20 x median step time, 10 s); a straggler is at least 5 consecutive steps, and at least 2 s,
 * slower than 2 x the rolling median of the last 64 healthy steps (the duration keeps short steps from calling a
 * burst of CPU contention or a garbage collection a fail-slow: 5 steps of 13 ms are 65 ms); a new attempt's slow
 * steps before its first healthy one, for up to 15 s after its start, are its warm-up and not judged (a restarted
 * process compiles and allocates during its first steps: the demo's restarted trainer ran 5 x slower for over 2 s).
 *
 * @param crashTimeout no heartbeat of the current attempt for longer than this is a CRASH
 * @param hangStepFactor k: a HANG needs no step progress for k x the robust (median) step time ...
 * @param hangFloor ... and at least this long (covers evaluation, snapshots and the first steps of an attempt)
 * @param stragglerFactor s: a step slower than s x the rolling median is slow
 * @param stragglerSteps n: this many consecutive slow steps make a STRAGGLER verdict ...
 * @param stragglerMinDuration ... if they also span at least this much event time (from the last healthy step)
 * @param stragglerRecoverySteps this many consecutive healthy steps close a straggler period (RecoveryCompleted)
 * @param stragglerWarmup an attempt's warm-up: until its first step within s x the median, but no longer than this
 *     (event time since its AttemptStarted), its slow steps are neither judged nor in the median. A fail-slow present
 *     from an attempt's first step is therefore seen this much later; zero turns the warm-up off
 * @param minStepSamples healthy steps needed before the median is trusted (straggler detection, hang factor)
 * @param stepWindow healthy step durations kept per run for the rolling median
 * @param punctuateInterval wall-clock period of the timeout scan
 * @param verdictHorizon evidence older than this (event time vs the monitor's clock) yields no verdict: a monitor
 *     started over an old ledger does not re-judge history
 * @param finishedRetention state of a completed or cancelled run is dropped this long after its end
 * @param idleRetention state of a run with no record for this long is dropped
 * @param restartOn failure types for which RestartRun is sent (the process is alive but must roll back)
 * @param instance this monitor's instance name, in every event's source
 */
public record DetectionSettings(Duration crashTimeout, double hangStepFactor, Duration hangFloor,
                                double stragglerFactor, int stragglerSteps, Duration stragglerMinDuration,
                                int stragglerRecoverySteps, Duration stragglerWarmup,
                                int minStepSamples, int stepWindow, Duration punctuateInterval,
                                Duration verdictHorizon, Duration finishedRetention, Duration idleRetention,
                                Set<FailureType> restartOn, String instance) {

    public static final String SERVICE = "failure-monitor";

    public DetectionSettings {
        Objects.requireNonNull(crashTimeout, "crashTimeout");
        Objects.requireNonNull(hangFloor, "hangFloor");
        Objects.requireNonNull(stragglerMinDuration, "stragglerMinDuration");
        Objects.requireNonNull(stragglerWarmup, "stragglerWarmup");
        Objects.requireNonNull(instance, "instance");
        restartOn = restartOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(restartOn));
        if (stragglerFactor <= 1 || stragglerSteps < 1 || stragglerRecoverySteps < 1 || stepWindow < 3
                || minStepSamples < 1 || hangStepFactor <= 0 || stragglerMinDuration.isNegative()
                || stragglerWarmup.isNegative()) {
            throw new IllegalArgumentException("invalid detection thresholds");
        }
    }

    /** The documented defaults. */
    public static DetectionSettings defaults() {
        return new DetectionSettings(Duration.ofSeconds(5), 20, Duration.ofSeconds(10), 2.0, 5, Duration.ofSeconds(2),
                3, Duration.ofSeconds(15), 10, 64, Duration.ofMillis(250), Duration.ofHours(6), Duration.ofHours(1), Duration.ofHours(24),
                EnumSet.of(FailureType.HANG, FailureType.NAN_LOSS), "failure-monitor-0");
    }

    /** A copy with another crash timeout. */
    public DetectionSettings withCrashTimeout(Duration timeout) {
        return new DetectionSettings(timeout, hangStepFactor, hangFloor, stragglerFactor, stragglerSteps,
                stragglerMinDuration, stragglerRecoverySteps, stragglerWarmup, minStepSamples, stepWindow, punctuateInterval,
                verdictHorizon, finishedRetention, idleRetention, restartOn, instance);
    }

    /** A copy with another hang rule. */
    public DetectionSettings withHang(double factor, Duration floor) {
        return new DetectionSettings(crashTimeout, factor, floor, stragglerFactor, stragglerSteps,
                stragglerMinDuration, stragglerRecoverySteps, stragglerWarmup, minStepSamples, stepWindow, punctuateInterval,
                verdictHorizon, finishedRetention, idleRetention, restartOn, instance);
    }

    /** A copy with another straggler rule. */
    public DetectionSettings withStraggler(double factor, int steps, Duration minDuration) {
        return new DetectionSettings(crashTimeout, hangStepFactor, hangFloor, factor, steps, minDuration,
                stragglerRecoverySteps, stragglerWarmup, minStepSamples, stepWindow, punctuateInterval, verdictHorizon,
                finishedRetention, idleRetention, restartOn, instance);
    }

    /** A copy with another warm-up allowance for new attempts. */
    public DetectionSettings withStragglerWarmup(Duration warmup) {
        return new DetectionSettings(crashTimeout, hangStepFactor, hangFloor, stragglerFactor, stragglerSteps,
                stragglerMinDuration, stragglerRecoverySteps, warmup, minStepSamples, stepWindow, punctuateInterval,
                verdictHorizon, finishedRetention, idleRetention, restartOn, instance);
    }

    /** The HANG threshold in ms for a run whose median step time is {@code medianStepNanos} (0 = unknown). */
    public long hangThresholdMs(long medianStepNanos) {
        long byFactor = medianStepNanos <= 0 ? 0 : (long) (hangStepFactor * medianStepNanos / 1_000_000.0);
        return Math.max(byFactor, hangFloor.toMillis());
    }
}
