package io.trainledger.trainer;

import io.trainledger.events.Heartbeat;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Beats for every active attempt from its own thread, every {@code trainledger.trainer.heartbeat-interval}: attempt,
 * current step, time of the last step and a per-attempt sequence number. A hung attempt keeps beating (that is what
 * tells a hang from a crash); a dead process stops.
 */
final class HeartbeatPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HeartbeatPublisher.class);
    private final KafkaProducer<String, Heartbeat> producer;
    private final ScheduledExecutorService timer;
    private final OwnedRuns runs;
    private final KafkaSettings settings;
    private final TrainerMetrics metrics;

    HeartbeatPublisher(KafkaSettings settings, OwnedRuns runs, TrainerMetrics metrics, Duration interval) {
        this.settings = settings;
        this.runs = runs;
        this.metrics = metrics;
        this.producer = new KafkaProducer<>(settings.producerConfig("heartbeats"),
                Topics.HEARTBEATS.keySerde().serializer(),
                Topics.HEARTBEATS.valueSerde(settings.registry()).serializer());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "trainer-heartbeats");
            t.setDaemon(true);
            t.setContextClassLoader(CommandConsumer.APP_LOADER);
            return t;
        });
        long ms = Math.max(10, interval.toMillis());
        timer.scheduleAtFixedRate(this::beat, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            for (RunAttempt a : runs.activeAttempts()) {
                Instant last = a.lastStepTime();
                Heartbeat hb = Heartbeat.newBuilder()
                        .setRunId(a.runId())
                        .setAttempt(a.attempt())
                        .setStep(a.step())
                        .setLastStepTime(last == null ? null : last.truncatedTo(ChronoUnit.MICROS))
                        .setSequence(a.nextHeartbeatSequence())
                        .setEventTime(now)
                        .setSource(RunEvents.source("trainer", settings.instance()))
                        .build();
                producer.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), a.runId(), hb), (md, e) -> {
                    if (e != null) {
                        LOG.warnf("[run %s] heartbeat not sent: %s", hb.getRunId(), e.toString());
                    } else {
                        metrics.heartbeat();
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("heartbeat round failed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
