package io.trainledger.tor.aggregator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.trainledger.events.FailureType;
import io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler;
import io.trainledger.tor.Badput;
import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.TorReport;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.jboss.logging.Logger;

/**
 * Prometheus metrics (through Micrometer, at {@code /q/metrics}) of the reports this instance emits:
 * {@code trainledger_tor_ratio{run}}, {@code trainledger_tor_badput_seconds{run,bucket}},
 * {@code trainledger_tor_failures{run,type}}, {@code trainledger_tor_report_lag_seconds} (wall clock at emission minus
 * the Kafka timestamp of the latest ledger record folded), {@code trainledger_tor_reports_emitted_total} and
 * {@code trainledger_dlq_records_total} (records dead-lettered by the deserialization handler in this JVM).
 * Per-run gauges are bounded by {@code trainledger.tor.metrics.max-runs}.
 */
@Startup // register the meters at start-up, not at the first report
@ApplicationScoped
public class TorMetrics {
    private static final Logger LOG = Logger.getLogger(TorMetrics.class);
    private static final Map<String, ToDoubleFunction<Badput>> BUCKETS = Map.of(
            "queued", Badput::getQueuedNanos, "init", Badput::getInitNanos, "restore", Badput::getRestoreNanos,
            "checkpoint_stall", Badput::getCheckpointStallNanos, "wasted", Badput::getWastedNanos,
            "detection", Badput::getDetectionNanos, "restart", Badput::getRestartNanos,
            "slowdown", Badput::getSlowdownNanos, "other", Badput::getOtherNanos);

    @Inject
    MeterRegistry registry;

    @Inject
    AggregatorConfig config;

    /** Latest report per run that has gauges; the gauges read from here. */
    private final Map<String, TorReport> latest = new ConcurrentHashMap<>();
    private Timer lag;
    private Counter emitted;
    private volatile boolean capLogged;

    @PostConstruct
    void init() {
        lag = Timer.builder("trainledger.tor.report.lag")
                .description("Wall clock at emission minus the Kafka timestamp of the latest ledger record folded")
                .register(registry);
        emitted = Counter.builder("trainledger.tor.reports.emitted").description("TorReports forwarded")
                .register(registry);
        FunctionCounter.builder("trainledger.dlq.records", DeadLetteringDeserializationHandler.class,
                        c -> DeadLetteringDeserializationHandler.deadLettered())
                .description("Ledger records dead-lettered by the deserialization handler in this JVM")
                .register(registry);
    }

    void emitted(TorReport report, long ledgerTimestampMs) {
        emitted.increment();
        lag.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - ledgerTimestampMs)));
        String run = report.getRunId();
        if (latest.containsKey(run)) {
            latest.put(run, report);
        } else if (latest.size() < config.metrics().maxRuns()) {
            latest.put(run, report);
            register(run);
        } else if (!capLogged) {
            capLogged = true;
            LOG.warnf("run %s: no per-run gauges, trainledger.tor.metrics.max-runs=%d reached", run,
                    config.metrics().maxRuns());
        }
    }

    private void register(String run) {
        Gauge.builder("trainledger.tor.ratio", latest, m -> m.get(run).getTor()).tag("run", run)
                .description("TOR = T_opt / T_obs of the run").register(registry);
        BUCKETS.forEach((bucket, f) -> Gauge.builder("trainledger.tor.badput.seconds", latest,
                        m -> f.applyAsDouble(m.get(run).getBadput()) / 1e9)
                .tag("run", run).tag("bucket", bucket).description("Badput of the run per bucket, seconds")
                .register(registry));
        for (FailureType type : FailureType.values()) {
            if (type == FailureType.UNKNOWN) {
                continue;
            }
            Gauge.builder("trainledger.tor.failures", latest, m -> failures(m.get(run), type))
                    .tag("run", run).tag("type", type.name()).description("Failures of the run detected, per type")
                    .register(registry);
        }
    }

    private static double failures(TorReport report, FailureType type) {
        for (FailureAttribution a : report.getFailures()) {
            if (a.getType() == type) {
                return a.getCount();
            }
        }
        return 0;
    }
}
