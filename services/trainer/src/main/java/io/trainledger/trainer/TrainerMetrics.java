package io.trainledger.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The trainer's Micrometer meters: steps (a counter, so steps/s is its rate), step time, events produced by payload
 * type, heartbeats, snapshot stall.
 */
@ApplicationScoped
public class TrainerMetrics {
    private final MeterRegistry registry;
    private final Counter steps;
    private final Timer stepTime;
    private final Timer snapshotStall;
    private final Counter heartbeats;
    private final Map<String, Counter> events = new ConcurrentHashMap<>();

    TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.steps = Counter.builder("trainledger.trainer.steps").description("optimizer steps done").register(registry);
        this.stepTime = Timer.builder("trainledger.trainer.step.time").description("wall-clock time of one step")
                .register(registry);
        this.snapshotStall = Timer.builder("trainledger.trainer.snapshot.stall")
                .description("training blocked by a snapshot, until its event was acknowledged").register(registry);
        this.heartbeats = Counter.builder("trainledger.trainer.heartbeats").description("heartbeats sent")
                .register(registry);
    }

    public void step(long nanos) {
        steps.increment();
        stepTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void snapshotStall(long nanos) {
        snapshotStall.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void heartbeat() {
        heartbeats.increment();
    }

    public void eventProduced(String type) {
        events.computeIfAbsent(type, t -> Counter.builder("trainledger.trainer.events.produced")
                .description("ledger events produced").tag("type", t).register(registry)).increment();
    }
}
