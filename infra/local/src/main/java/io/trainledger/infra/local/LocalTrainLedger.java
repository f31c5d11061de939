package io.trainledger.infra.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole embedded default in one object: the {@link EmbeddedStack} (broker, registry, provisioning) and, unless
 * asked not to, the four services supervised on top of it ({@link RunningServices}). {@link #close} stops the
 * services first, then the stack; the ledger stays in the data directory for the next start.
 */
public final class LocalTrainLedger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainLedger.class);

    private final EmbeddedStack stack;
    private final RunningServices services;
    private volatile boolean closed;

    private LocalTrainLedger(EmbeddedStack stack, RunningServices services) {
        this.stack = stack;
        this.services = services;
    }

    /** Starts the stack only. */
    public static LocalTrainLedger startStack(StackSettings settings) throws Exception {
        return new LocalTrainLedger(EmbeddedStack.start(settings), null);
    }

    /**
     * Starts the stack, then the services run from the packaged apps under {@code repoRoot}; {@code customize} may
     * change the catalog (overrides, ports, chaos). If the services fail to become ready the stack is stopped again.
     */
    public static LocalTrainLedger start(StackSettings settings, Path repoRoot, Consumer<ServiceCatalog.Builder> customize,
                                         Duration readyTimeout, Consumer<String> progress) throws Exception {
        // Refuse before the stack spends 20 s starting when the apps are not there.
        var missing = ServiceCatalog.missingApps(repoRoot);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the services are not built: missing " + missing + " (build them with: "
                    + "./mvnw -B -q install -DskipTests in " + repoRoot + ", which ./trainledger does when needed)");
        }
        EmbeddedStack stack = EmbeddedStack.start(settings);
        try {
            progress.accept(String.format("broker and registry ready in %.1f s; starting the services (on its first start in a "
                    + "data directory the trainer pretrains the PLPP backbone: minutes)", stack.startupTime().toMillis() / 1000.0));
            ServiceCatalog.Builder builder = ServiceCatalog.builder(repoRoot, settings.dataDir(), stack.connection());
            customize.accept(builder);
            RunningServices services = RunningServices.start(builder.build(), readyTimeout, progress);
            return new LocalTrainLedger(stack, services);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    public EmbeddedStack stack() {
        return stack;
    }

    public StackConnection connection() {
        return stack.connection();
    }

    /** The running services, absent for a bare stack. */
    public Optional<RunningServices> services() {
        return Optional.ofNullable(services);
    }

    /** Stops the services (SIGTERM, then SIGKILL after a grace period), then the registry and the broker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (services != null) {
            try {
                services.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping the services: {}", e.toString());
            }
        }
        stack.close();
    }
}
