package io.trainledger.tor.core.detection;

import io.trainledger.events.FailureType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The detection score of one failure type (or of all scored types: {@code type} null).
 *
 * @param injected faults of this type in the ground truth ({@code FaultInjected})
 * @param detected verdicts of this type ({@code FailureDetected})
 * @param truePositives verdicts matched to a fault
 * @param duplicates unmatched verdicts that fell within the window of a fault already answered: a fault detected more
 *     than once (each is also a false alarm)
 * @param latencies detectedTime - plannedAt of the matched pairs (a verdict inside the clock-skew lead counts as 0)
 */
public record TypeScore(FailureType type, int injected, int detected, int truePositives, int duplicates,
                        List<Duration> latencies) {

    public TypeScore {
        latencies = List.copyOf(latencies);
    }

    /** Faults nobody detected. */
    public int missed() {
        return injected - truePositives;
    }

    /** Verdicts that answer no fault (duplicates included). */
    public int falseAlarms() {
        return detected - truePositives;
    }

    /** TP / detected; NaN with no verdicts. */
    public double precision() {
        return detected == 0 ? Double.NaN : (double) truePositives / detected;
    }

    /** TP / injected; NaN with no faults. */
    public double recall() {
        return injected == 0 ? Double.NaN : (double) truePositives / injected;
    }

    /** Nearest-rank percentile of the detection latency ({@code q} in (0, 1]), or null without matches. */
    public Duration latency(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("percentile must be in (0, 1], got " + q);
        }
        if (latencies.isEmpty()) {
            return null;
        }
        List<Duration> sorted = new ArrayList<>(latencies);
        sorted.sort(Comparator.naturalOrder());
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(1, Math.min(sorted.size(), rank)) - 1);
    }
}
