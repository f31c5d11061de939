package io.trainledger.checkpointer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval;
import io.trainledger.checkpointer.ledger.CheckpointIndex;
import io.trainledger.checkpointer.ledger.LedgerView;
import io.trainledger.checkpointer.ledger.LedgerWriter;
import io.trainledger.checkpointer.store.CheckpointStore;
import io.trainledger.checkpointer.store.FilesystemCheckpointStore;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the service at start: the store, the ledger view (rebuilds the index from offset 0), the ledger writer, the
 * snapshot processor (consumer group) and the adaptive controller, each Kafka client on its own thread; stops them
 * at shutdown.
 */
@ApplicationScoped
public class Checkpointer {
    private static final Logger LOG = Logger.getLogger(Checkpointer.class);

    @Inject
    CheckpointerConfig config;
    @Inject
    MeterRegistry metrics;
    @Inject
    CommitFault commitFault;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;
    /** The operator's Kafka client settings (kafka.* keys, KAFKA_* env vars), merged into every client below. */
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> operatorKafka;

    @Inject
    Config mpConfig;

    private final CheckpointIndex index = new CheckpointIndex();
    private RegistrySettings registry;
    private FilesystemCheckpointStore store;
    private LedgerWriter writer;
    private LedgerView view;
    private SnapshotProcessor processor;
    private Thread viewThread;
    private Thread processorThread;

    void start(@Observes StartupEvent startup) {
        String instance = config.instance().orElseGet(Checkpointer::defaultInstance);
        // The serdes' registry client settings (apicurio.registry.auth.*, tls.*, proxy.*; env APICURIO_REGISTRY_...),
        // as the Kafka Streams services read them: without them an authenticated registry refuses every schema.
        registry = RegistrySettings.of(registryUrl).withClientSettings(
                key -> mpConfig.getOptionalValue(key, String.class));
        store = new FilesystemCheckpointStore(config.storeDir());
        OperatorKafkaSettings kafka = new OperatorKafkaSettings(operatorKafka);
        writer = new LedgerWriter(bootstrapServers, registry, RunEvents.source("checkpointer", instance), kafka);
        CheckpointCommitter committer = new CheckpointCommitter(store, writer, index, config.stagingDir(),
                config.deleteStaged(), metrics, commitFault);
        AdaptiveInterval adaptive = new AdaptiveInterval(config.adaptive().settings());
        SnapshotProcessor[] owner = new SnapshotProcessor[1];
        view = new LedgerView(bootstrapServers, registry, kafka, "checkpointer-view-" + instance, index,
                config.pollTimeout(),
                new AdaptiveController(adaptive, writer, p -> owner[0] != null && owner[0].owns(p), metrics));
        processor = new SnapshotProcessor(bootstrapServers, registry, kafka,
                new SnapshotProcessor.Membership(config.groupId(), config.groupInstanceId(), config.sessionTimeout()),
                "checkpointer-" + instance, committer, view, config.pollTimeout(), config.retryBackoff(),
                config.catchUpTimeout());
        owner[0] = processor;
        Gauge.builder("trainledger.checkpointer.dead.letters", processor, SnapshotProcessor::deadLettered)
                .register(metrics);
        viewThread = new Thread(view, "checkpointer-ledger-view");
        processorThread = new Thread(processor, "checkpointer-snapshots");
        viewThread.start();
        processorThread.start();
        LOG.infof("checkpointer %s: Kafka client settings from the operator %s (the checkpointer's own keys win)",
                instance, kafka.keys());
        LOG.infof("checkpointer %s: store %s, staging %s, ledger at %s, registry %s, adaptive interval %s, "
                        + "commit fault hook %s, group %s (%s)", instance, store.root(),
                config.stagingDir().map(Object::toString).orElse("(any file:// path)"), bootstrapServers, registryUrl,
                config.adaptive().enabled() ? "on" : "off", commitFault.enabled() ? "ENABLED" : "off",
                config.groupId(), config.groupInstanceId().map(id -> "static member " + id).orElse("dynamic member"));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (processor != null) {
            processor.close();
            join(processorThread);
        }
        if (view != null) {
            view.close();
            join(viewThread);
        }
        if (writer != null) {
            writer.close();
        }
    }

    public CheckpointIndex index() {
        return index;
    }

    public CheckpointStore store() {
        return store;
    }

    /** Where the registry is and how the serdes reach it (URL and client settings). */
    public RegistrySettings registry() {
        return registry;
    }

    /** Ready: the history is folded and the consumer group loop owns partitions. */
    public boolean ready() {
        return view != null && view.caughtUp() && processor.started() && live();
    }

    /** Alive: neither Kafka loop died. */
    public boolean live() {
        return view != null && !view.failed() && processor.healthy();
    }

    private static void join(Thread thread) {
        try {
            thread.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String defaultInstance() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
