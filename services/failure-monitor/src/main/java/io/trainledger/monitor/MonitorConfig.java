package io.trainledger.monitor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.trainledger.events.FailureType;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The detection thresholds from {@code application.properties} ({@code trainledger.monitor.*}); see README. */
@ConfigMapping(prefix = "trainledger.monitor")
public interface MonitorConfig {
    @WithDefault("5s")
    Duration crashTimeout();

    @WithDefault("20")
    double hangStepFactor();

    @WithDefault("10s")
    Duration hangFloor();

    @WithDefault("2.0")
    double stragglerFactor();

    @WithDefault("5")
    int stragglerSteps();

    /** The slow steps of a straggler verdict must also span this much time (bursts of contention are not fail-slow). */
    @WithDefault("2s")
    Duration stragglerMinDuration();

    @WithDefault("3")
    int stragglerRecoverySteps();

    /**
     * A new attempt's slow steps before its first healthy one, for at most this long after its start, are its
     * warm-up (a restarted process compiling and allocating) and are not judged; 0s turns this off.
     */
    @WithDefault("15s")
    Duration stragglerWarmup();

    @WithDefault("10")
    int minStepSamples();

    @WithDefault("64")
    int stepWindow();

    @WithDefault("250ms")
    Duration punctuateInterval();

    @WithDefault("6h")
    Duration verdictHorizon();

    @WithDefault("1h")
    Duration finishedRetention();

    @WithDefault("24h")
    Duration idleRetention();

    @WithDefault("HANG,NAN_LOSS")
    Set<FailureType> restartOn();

    /** How often the monitor checks that it reaches the broker itself. */
    @WithDefault("500ms")
    Duration brokerProbeInterval();

    /** No successful probe for this long is a broker outage: silence is not judged until it ends. */
    @WithDefault("2s")
    Duration outageConfirm();

    /** Instance name in the events' source; default host:pid. */
    Optional<String> instance();

    default DetectionSettings toSettings() {
        String name = instance().orElseGet(() -> ProcessHandle.current().pid() + "@" + hostName());
        return new DetectionSettings(crashTimeout(), hangStepFactor(), hangFloor(), stragglerFactor(),
                stragglerSteps(), stragglerMinDuration(), stragglerRecoverySteps(), stragglerWarmup(), minStepSamples(),
                stepWindow(), punctuateInterval(), verdictHorizon(), finishedRetention(), idleRetention(), restartOn(), name);
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
