package io.trainledger.checkpointer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The checkpointer's own settings ({@code trainledger.checkpointer.*} in application.properties). */
@ConfigMapping(prefix = "trainledger.checkpointer")
public interface CheckpointerConfig {

    /** Root of the durable filesystem store. */
    Path storeDir();

    /**
     * Where trainers stage snapshots. When set, only staged files under it are accepted (others are rejected) and
     * staged files are removed once committed; when unset any file:// path is accepted and nothing is removed.
     */
    Optional<Path> stagingDir();

    /** Remove a staged file after its commit is acknowledged (only under {@link #stagingDir()}). */
    @WithDefault("true")
    boolean deleteStaged();

    /** Instance id written into EventSource.instance (default host:pid). */
    Optional<String> instance();

    /** Consumer group of the snapshot processor. */
    @WithDefault("trainledger-checkpointer")
    String groupId();

    /**
     * Static group membership id ({@code group.instance.id}) of the snapshot processor: stable across restarts of
     * one supervised instance (e.g. {@code checkpointer-1}) and distinct per instance. A restarted process with the
     * same id gets its partitions back at once instead of after the dead member's session timeout; a second live
     * process with the same id is fenced by the group coordinator (its loop stops and liveness reports DOWN), so two
     * checkpointers must never be given one id. Empty: dynamic membership.
     */
    Optional<String> groupInstanceId();

    /**
     * Consumer-group session timeout: how long the partitions of a checkpointer that died (and was not restarted)
     * wait before the group moves them (the broker allows 6-300 s by default).
     */
    @WithDefault("PT10S")
    Duration sessionTimeout();

    /** Consumer poll timeout. */
    @WithDefault("PT0.2S")
    Duration pollTimeout();

    /** Back-off after a transient failure (store or broker) before the record is retried. */
    @WithDefault("PT1S")
    Duration retryBackoff();

    /** How long the processor waits for the ledger view to catch up after a partition assignment. */
    @WithDefault("PT60S")
    Duration catchUpTimeout();

    Adaptive adaptive();

    Chaos chaos();

    /** Fault hooks for end-to-end tests. */
    interface Chaos {
        /** Off by default: {@code POST /api/faults/halt-before-commit} is then refused with 403. */
        @WithDefault("false")
        boolean enabled();
    }

    /** Adaptive checkpoint interval. */
    interface Adaptive {
        @WithDefault("true")
        boolean enabled();

        /** Propose a change when the optimum moved by more than this fraction of the current interval. */
        @WithDefault("0.2")
        double threshold();

        @WithDefault("daly")
        String formula();

        @WithDefault("1")
        int minFailures();

        @WithDefault("1")
        int minSnapshots();

        @WithDefault("1")
        int minIntervalSteps();

        @WithDefault("100000")
        int maxIntervalSteps();

        default AdaptiveInterval.Settings settings() {
            return new AdaptiveInterval.Settings(enabled(), threshold(),
                    AdaptiveInterval.Formula.valueOf(formula().trim().toUpperCase(java.util.Locale.ROOT)),
                    minFailures(), minSnapshots(), minIntervalSteps(), maxIntervalSteps());
        }
    }
}
