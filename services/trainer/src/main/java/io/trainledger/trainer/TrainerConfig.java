package io.trainledger.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The trainer's own settings ({@code trainledger.trainer.*}); Kafka and registry addresses are separate keys. */
@ConfigMapping(prefix = "trainledger.trainer")
public interface TrainerConfig {

    /** Instance id in event sources; default host:pid. */
    Optional<String> instance();

    /** Root of the trainer's files: {@code staging/<runId>/} snapshots and the PLPP backbone cache. */
    @WithDefault("trainledger-data/trainer")
    Path dataDir();

    /** Consumer group of the trainer instances on {@code trainledger.commands}. */
    @WithDefault("trainledger-trainer")
    String group();

    /**
     * Static group membership id ({@code group.instance.id}), stable across restarts of one supervised instance
     * (e.g. {@code trainer-1}); distinct per instance. Empty: dynamic membership.
     */
    Optional<String> groupInstanceId();

    /**
     * Consumer-group session timeout: how long a dead instance keeps its runs before the group moves them (the
     * broker allows 6-300 s by default).
     */
    @WithDefault("PT10S")
    Duration sessionTimeout();

    /** Where snapshots are staged for the checkpointer (its {@code staging-dir}); default {@code <data-dir>/staging}. */
    Optional<Path> stagingDir();

    /** Heartbeat period of every running attempt. */
    @WithDefault("PT0.5S")
    Duration heartbeatInterval();

    /**
     * How long a StepCompleted may wait on the trainer before it is sent: the ledger emitter drains its queue this
     * often instead of being woken by every step (see LedgerEmitter), so one produce request carries several steps.
     * Snapshots and other awaited events are sent at once. 100 ms: the producer's and broker's CPU per step fell
     * about 4x against 20 ms (docs/benchmarks/services.md), for at most 0.1 s more before a step is on the ledger.
     */
    @WithDefault("PT0.1S")
    Duration ledgerDrainPeriod();

    /** How long the snapshot event may take to be acknowledged before the attempt fails. */
    @WithDefault("PT30S")
    Duration snapshotAckTimeout();

    /** Test images per class in evaluation; fixed per deployment (it enters the training-state fingerprint). */
    @WithDefault("25")
    int testPerClass();

    /** libtorch intra-op threads (resume is bitwise exact only with the same count); applied before DJL loads. */
    @WithDefault("1")
    int torchThreads();

    Backbone backbone();

    Chaos chaos();

    /** The frozen PLPP backbone every run of this instance uses. */
    interface Backbone {
        /** {@code standard} (the benchmark TinyClip) or {@code small} (tests). */
        @WithDefault("standard")
        String size();

        /** Override of the pretraining steps (tests use a few dozen); empty: the size's own recipe. */
        Optional<Integer> pretrainSteps();

        /** Open the backbone of this device at start-up, so the first attempt does not pay for it. */
        @WithDefault("true")
        boolean warmUp();

        @WithName("warm-up-device")
        @WithDefault("auto")
        String warmUpDevice();
    }

    /** Fault injection for testing the platform. */
    interface Chaos {
        /** Off by default: chaos settings and InjectFault are then refused with RunRejected. */
        @WithDefault("false")
        boolean enabled();
    }
}
