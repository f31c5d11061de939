package io.trainledger.tor.aggregator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import java.time.Duration;

/** The service's own settings ({@code trainledger.tor.*} in application.properties). */
@ConfigMapping(prefix = "trainledger.tor")
public interface AggregatorConfig {

    Emit emit();

    Timeline timeline();

    Metrics metrics();

    Query query();

    interface Emit {
        /** At most one report per run per this much event time (milestones always emit). */
        @WithDefault("1s")
        Duration minInterval();

        /**
         * And at most one per run per this much wall-clock time (bounds the report rate while catching up over a
         * backlog; 50 ms keeps a live step's report latency well under the 250 ms goal).
         */
        @WithDefault("50ms")
        Duration minWallInterval();

        /** Wall-clock period of the flush of held-back reports. */
        @WithDefault("1s")
        Duration flushInterval();
    }

    interface Timeline {
        @WithDefault("1000")
        int maxEvents();

        @WithDefault("512")
        int maxSteps();
    }

    interface Metrics {
        /** Runs that get per-run gauges (TOR, badput, failures); later runs are still reported, without gauges. */
        @WithDefault("500")
        int maxRuns();
    }

    interface Query {
        /** Seconds a client is told to wait (Retry-After) while the stores are not queryable. */
        @WithDefault("2")
        int retryAfterSeconds();

        /** Timeout of the calls to other instances when listing runs. */
        @WithDefault("2s")
        Duration remoteTimeout();
    }

    default TopologySettings topologySettings() {
        return new TopologySettings(emit().minInterval(), emit().minWallInterval(), emit().flushInterval(), timeline().maxEvents(),
                timeline().maxSteps());
    }
}
