package io.trainledger.infra.local;

import io.trainledger.infra.runtime.StackRuntime;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real KRaft broker and the Apicurio Registry as separate processes on 127.0.0.1, the
 * topics and registry rules provisioned, and a connection file in the data directory. One stack per data
 * directory (guarded by a file lock); stacks on different data directories run side by side.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(Path.of("data")))) {
 *     StackConnection c = stack.connection();
 * }
 * }</pre>
 */
public final class EmbeddedStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final StackSettings settings;
    private final StackState state;
    private final KafkaBroker broker;
    private final SchemaRegistry registry;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Path logs;
    private final Duration startup;
    private volatile ChildProcess brokerProcess;
    private volatile ChildProcess registryProcess;
    private volatile boolean closed;

    private EmbeddedStack(StackSettings settings, StackState state, FileChannel lockChannel, FileLock lock)
            throws Exception {
        long t0 = System.nanoTime();
        this.settings = settings;
        this.state = state;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.logs = settings.dataDir().resolve("logs");
        StackRuntime runtime = StackRuntime.load();
        this.broker = new KafkaBroker(runtime, settings.dataDir(), state);
        this.registry = new SchemaRegistry(runtime, settings, state, broker.bootstrapServers());
        try {
            checkPortsFree();
            broker.prepare(logs);
            brokerProcess = broker.start(logs);
            // Unpack (first time only) and find Java 21 while the broker starts.
            registry.home();
            broker.awaitReady(brokerProcess, settings.startTimeout());
            LOG.info("Kafka broker ready on {} after {} ms", broker.bootstrapServers(), (System.nanoTime() - t0) / 1_000_000);
            Provisioner.provisionTopics(broker.bootstrapServers(), settings.partitions(), (short) 1);
            registryProcess = registry.start(logs);
            registry.awaitReady(registryProcess, settings.startTimeout());
            Provisioner.provisionRegistryRules(registry.url());
            connection().write(settings.dataDir());
            Files.writeString(settings.dataDir().resolve("stack.pid"), Long.toString(ProcessHandle.current().pid()));
        } catch (Exception | Error e) {
            stopChildren();
            releaseLock();
            throw e;
        }
        this.startup = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("stack ready in {} ms: broker {}, registry {}", startup.toMillis(), broker.bootstrapServers(), registry.url());
    }

    /** Starts a stack over {@code settings.dataDir()}, reusing its storage and ports if it ran before. */
    public static EmbeddedStack start(StackSettings settings) throws Exception {
        Files.createDirectories(settings.dataDir());
        FileChannel channel = FileChannel.open(settings.dataDir().resolve("stack.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("another TrainLedger stack is running on " + settings.dataDir()
                    + " (stop it with 'down', or choose another --data-dir)");
        }
        StackState state = StackState.resolve(settings);
        state.save(settings.dataDir());
        return new EmbeddedStack(settings, state, channel, lock);
    }

    public StackConnection connection() {
        return new StackConnection(broker.bootstrapServers(), registry.url(), registry.healthUrl());
    }

    public StackSettings settings() {
        return settings;
    }

    /** Wall time {@link #start} took. */
    public Duration startupTime() {
        return startup;
    }

    public ChildProcess brokerProcess() {
        return brokerProcess;
    }

    public ChildProcess registryProcess() {
        return registryProcess;
    }

    /** Kills the broker with SIGKILL, as a machine-level crash of the process would (for resilience tests). */
    public void killBroker() throws InterruptedException {
        brokerProcess.kill();
    }

    /** Starts the broker again over the same data directory and waits until it is ready. */
    public void restartBroker() throws Exception {
        if (brokerProcess.isAlive()) {
            brokerProcess.stop(STOP_GRACE);
        }
        brokerProcess = broker.start(logs);
        broker.awaitReady(brokerProcess, settings.startTimeout());
    }

    /** Stops the registry and starts it again (it reloads every schema from its Kafka storage). */
    public void restartRegistry() throws Exception {
        registryProcess.stop(STOP_GRACE);
        registryProcess = registry.start(logs);
        registry.awaitReady(registryProcess, settings.startTimeout());
    }

    private void checkPortsFree() {
        int[] ports = {state.brokerPort(), state.controllerPort(), state.registryPort(), state.registryManagementPort()};
        for (int port : ports) {
            if (!StackState.isFree(port)) {
                throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use; a process left over from an "
                        + "earlier stack on " + settings.dataDir() + "? (ports are remembered in "
                        + StackState.FILE + "; delete it to pick new ones)");
            }
        }
    }

    /** Stops the registry, then the broker (controlled shutdown), then releases the data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopChildren();
        try {
            Files.deleteIfExists(settings.dataDir().resolve("stack.pid"));
            Files.deleteIfExists(settings.dataDir().resolve(StackConnection.FILE));
        } catch (IOException e) {
            LOG.warn("could not remove run files: {}", e.toString());
        }
        releaseLock();
        LOG.info("stack on {} stopped", settings.dataDir());
    }

    private void stopChildren() {
        if (registryProcess != null) {
            registryProcess.stop(STOP_GRACE);
        }
        if (brokerProcess != null) {
            brokerProcess.stop(STOP_GRACE);
        }
    }

    private void releaseLock() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("could not release stack lock: {}", e.toString());
        }
    }
}
