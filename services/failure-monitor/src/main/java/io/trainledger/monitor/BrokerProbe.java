package io.trainledger.monitor;

import io.trainledger.schemas.KafkaClientProperties;
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
 *
 * <p>In the service the probe is created before Kafka Streams is configured (the topology needs it) and
 * {@linkplain #start started} once it is, with the Streams configuration's bootstrap servers and security settings;
 * until then it reports no outage (the monitor starts connected).
 */
public final class BrokerProbe implements BrokerHealth, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerProbe.class);

    private final ScheduledExecutorService timer;
    private final Duration interval;
    private final int timeoutMs;
    private final long confirmAfterMs;
    private final LongSupplier clock;
    private volatile Admin admin;
    private volatile long lastReachableWallMs;
    private volatile Outage outage;

    /** A probe of a PLAINTEXT cluster, started at once. */
    public BrokerProbe(String bootstrapServers, Duration interval, Duration confirmAfter) {
        this(interval, confirmAfter);
        start(bootstrapServers, KafkaClientProperties.none());
    }

    /** A probe not started yet: no outage until {@link #start}. */
    public BrokerProbe(Duration interval, Duration confirmAfter) {
        this.interval = interval;
        this.confirmAfterMs = confirmAfter.toMillis();
        this.clock = System::currentTimeMillis;
        this.timeoutMs = (int) Math.max(1000, 2 * interval.toMillis());
        this.lastReachableWallMs = clock.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "failure-monitor-broker-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts probing {@code bootstrapServers} with the deployment's connection settings ({@code client}: SASL, TLS).
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start(String bootstrapServers, KafkaClientProperties client) {
        if (admin != null) {
            throw new IllegalStateException("broker probe already started");
        }
        admin = Admin.create(adminConfig(bootstrapServers, client, timeoutMs));
        LOG.infof("broker probe of %s every %d ms (client settings %s)", bootstrapServers, interval.toMillis(), client);
        lastReachableWallMs = clock.getAsLong(); // the monitor starts connected (Kafka Streams checked the topics)
        timer.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The admin client's configuration: {@code client}'s settings under the probe's own timeouts and client id. */
    static Map<String, Object> adminConfig(String bootstrapServers, KafkaClientProperties client, int timeoutMs) {
        return client.under(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, timeoutMs,
                AdminClientConfig.CLIENT_ID_CONFIG, "trainledger-failure-monitor-broker-probe"));
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
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofSeconds(2));
        }
    }
}
