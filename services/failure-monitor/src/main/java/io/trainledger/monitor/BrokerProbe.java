package io.trainledger.monitor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.jboss.logging.Logger;

/**
 * {@link BrokerHealth} from an Admin client: asks the broker for its cluster id every {@code interval} (timeout:
 * max(1 s, 2 x interval), so a loaded machine's slow answer is not an outage). The broker counts as unreachable once
 * no probe succeeded for {@code confirmAfter}; the outage starts at the last success and ends at the next one. One
 * probe thread, a daemon.
 */
public final class BrokerProbe implements BrokerHealth, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerProbe.class);

    private final Admin admin;
    private final ScheduledExecutorService timer;
    private final int timeoutMs;
    private final long confirmAfterMs;
    private final LongSupplier clock;
    private volatile long lastReachableWallMs;
    private volatile Outage outage;

    public BrokerProbe(String bootstrapServers, Duration interval, Duration confirmAfter) {
        this.confirmAfterMs = confirmAfter.toMillis();
        this.clock = System::currentTimeMillis;
        this.timeoutMs = (int) Math.max(1000, 2 * interval.toMillis());
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, timeoutMs,
                AdminClientConfig.CLIENT_ID_CONFIG, "trainledger-failure-monitor-broker-probe"));
        this.lastReachableWallMs = clock.getAsLong(); // the monitor starts connected (Kafka Streams checked the topics)
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "failure-monitor-broker-probe");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        boolean reachable;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                    .clusterId().get(timeoutMs + 500L, TimeUnit.MILLISECONDS);
            reachable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            reachable = false;
        }
        long now = clock.getAsLong();
        Outage current = outage;
        if (reachable) {
            if (current != null && current.ongoing()) {
                outage = new Outage(current.startWallMs(), now);
                LOG.warnf("broker reachable again after %.1f s", (now - current.startWallMs()) / 1000.0);
            }
            lastReachableWallMs = now;
        } else if (now - lastReachableWallMs >= confirmAfterMs && (current == null || !current.ongoing())) {
            outage = new Outage(lastReachableWallMs, Long.MAX_VALUE);
            LOG.warnf("broker unreachable for %.1f s: silence of runs is not judged until it is back",
                    (now - lastReachableWallMs) / 1000.0);
        }
    }

    @Override
    public Outage outage() {
        return outage;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
