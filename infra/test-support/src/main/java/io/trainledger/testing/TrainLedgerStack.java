package io.trainledger.testing;

import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.Provisioner;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.StackSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack integration tests run against, one per test JVM: either an external one named by the environment
 * ({@code TRAINLEDGER_BOOTSTRAP_SERVERS} and {@code TRAINLEDGER_REGISTRY_URL}) or an {@link EmbeddedStack} started
 * on first use under {@code trainledger.stack.dir} (default: the system temp directory) and stopped when the JVM
 * exits. Either way topics and registry rules are provisioned.
 */
public final class TrainLedgerStack {
    public static final String ENV_BOOTSTRAP = "TRAINLEDGER_BOOTSTRAP_SERVERS";
    public static final String ENV_REGISTRY = "TRAINLEDGER_REGISTRY_URL";
    private static final Logger LOG = LoggerFactory.getLogger(TrainLedgerStack.class);
    private static StackConnection shared;

    private TrainLedgerStack() {
    }

    /** The shared stack of this JVM, started on first call. */
    public static synchronized StackConnection shared() {
        if (shared == null) {
            // Kafka clients load classes by name through the context class loader; under Quarkus tests that can be a
            // loader holding a second copy of them (ClassCastException on JmxReporter). Use ours while starting.
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(TrainLedgerStack.class.getClassLoader());
            try {
                shared = startShared();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
        return shared;
    }

    /**
     * A separate stack with its own data directory, for tests that crash or restart parts of it. The caller closes
     * it.
     */
    public static EmbeddedStack startPrivate(String name) throws Exception {
        return EmbeddedStack.start(StackSettings.defaults(newDataDir(name)).withPartitions(3));
    }

    private static StackConnection startShared() {
        String bootstrap = System.getenv(ENV_BOOTSTRAP);
        String registry = System.getenv(ENV_REGISTRY);
        try {
            if (bootstrap != null && !bootstrap.isBlank() && registry != null && !registry.isBlank()) {
                LOG.info("using the external stack at {} / {}", bootstrap, registry);
                Provisioner.provisionTopics(bootstrap, 0, (short) 1);
                Provisioner.provisionRegistryRules(registry);
                return new StackConnection(bootstrap, registry, "");
            }
            EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(newDataDir("shared")).withPartitions(3));
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "trainledger-stack-shutdown"));
            LOG.info("embedded stack for this test JVM started in {} ms", stack.startupTime().toMillis());
            return stack.connection();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the TrainLedger test stack", e);
        }
    }

    private static Path newDataDir(String name) throws java.io.IOException {
        Path base = Path.of(System.getProperty("trainledger.stack.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return base.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
    }
}
