package io.trainledger.tor.aggregator.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of the TOR topology.
 *
 * @param minReportInterval at most one report per run per this much <em>event time</em>, except for milestones
 *                          (submission, attempt start, failure, recovery, end), which always emit
 * @param minReportWallInterval and at most one per this much <em>wall-clock</em> time (bounds the rate while the
 *                          aggregator catches up over a backlog, where event time runs far ahead); milestones
 *                          still always emit
 * @param flushInterval     wall-clock period of the punctuation that emits reports held back by the throttle
 * @param timelineMaxEvents non-step entries kept per run timeline (oldest dropped first)
 * @param timelineMaxSteps  step points kept per run timeline (downsampled by doubling the stride when full)
 */
public record TopologySettings(Duration minReportInterval, Duration minReportWallInterval, Duration flushInterval,
                               int timelineMaxEvents, int timelineMaxSteps) {

    public TopologySettings {
        Objects.requireNonNull(minReportInterval, "minReportInterval");
        Objects.requireNonNull(minReportWallInterval, "minReportWallInterval");
        Objects.requireNonNull(flushInterval, "flushInterval");
        if (minReportInterval.isNegative() || minReportWallInterval.isNegative() || flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("intervals must be >= 0 (flush > 0)");
        }
        if (timelineMaxEvents < 1 || timelineMaxSteps < 2) {
            throw new IllegalArgumentException("timeline bounds must be >= 1 event and >= 2 steps");
        }
    }

    /**
     * One report per second of event time and at most 20 per second of wall-clock time per run, flushed every
     * second, 1,000 timeline events and 512 step points.
     */
    public static TopologySettings defaults() {
        return new TopologySettings(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(1), 1000, 512);
    }
}
