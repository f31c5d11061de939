package io.trainledger.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.trainledger.events.FailureType;
import io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;

/**
 * Prometheus metrics of the monitor: verdicts per failure type, restarts ordered, recoveries recorded, and records
 * dead-lettered by the deserialization handler. Under exactly-once a transaction that aborts after a verdict was
 * counted makes the verdict again, so these counters may exceed the ledger's count in that rare case.
 */
@ApplicationScoped
public class MonitorMetrics implements VerdictListener {
    private final Map<FailureType, Counter> detected = new EnumMap<>(FailureType.class);
    private final Map<FailureType, Counter> restarts = new EnumMap<>(FailureType.class);
    private final Map<FailureType, Counter> recoveries = new EnumMap<>(FailureType.class);

    public MonitorMetrics(MeterRegistry registry) {
        for (FailureType type : FailureType.values()) {
            detected.put(type, Counter.builder("trainledger.monitor.failures.detected").tag("type", type.name())
                    .description("FailureDetected verdicts appended to the ledger").register(registry));
            restarts.put(type, Counter.builder("trainledger.monitor.restarts.ordered").tag("type", type.name())
                    .description("RestartRun commands sent").register(registry));
            recoveries.put(type, Counter.builder("trainledger.monitor.recoveries").tag("type", type.name())
                    .description("RecoveryCompleted events appended to the ledger").register(registry));
        }
        Gauge.builder("trainledger.monitor.dead.lettered", DeadLetteringDeserializationHandler::deadLettered)
                .description("Undecodable input records sent to trainledger.dlq").register(registry);
    }

    @Override
    public void detected(FailureType type) {
        detected.get(type).increment();
    }

    @Override
    public void restartOrdered(FailureType type) {
        restarts.get(type).increment();
    }

    @Override
    public void recovered(FailureType type) {
        recoveries.get(type).increment();
    }

    /** Verdicts of one type counted so far (tests). */
    public double detectedCount(FailureType type) {
        return detected.get(type).count();
    }
}
