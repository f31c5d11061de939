package io.trainledger.infra.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run the embedded stack. Port 0 means "choose a free one the first time, then keep it for this data
 * directory" (so clients and the registry's own Kafka storage find the broker again after a restart).
 *
 * @param dataDir everything the stack writes lives under here (broker log dirs, logs, connection file)
 * @param cacheDir where the registry distribution is unpacked once and shared by all stacks
 * @param brokerPort Kafka PLAINTEXT listener port, 0 for a free one
 * @param controllerPort KRaft controller listener port, 0 for a free one
 * @param registryPort registry HTTP port, 0 for a free one
 * @param registryManagementPort registry management (health) port, 0 for a free one
 * @param registryStorage KAFKASQL (durable, in the broker) or IN_MEMORY (fast, lost on restart)
 * @param partitions partitions of the keyed topics when provisioning (0 = the catalogue's defaults)
 * @param startTimeout how long to wait for each component to become healthy
 */
public record StackSettings(Path dataDir, Path cacheDir, int brokerPort, int controllerPort, int registryPort,
                            int registryManagementPort, RegistryStorage registryStorage, int partitions,
                            Duration startTimeout) {

    /** Where the registry keeps its schemas. */
    public enum RegistryStorage { KAFKASQL, IN_MEMORY }

    public StackSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(cacheDir, "cacheDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    /** Defaults: free ports, durable registry storage, the catalogue's partition counts. */
    public static StackSettings defaults(Path dataDir) {
        return new StackSettings(dataDir, defaultCacheDir(), 0, 0, 0, 0, RegistryStorage.KAFKASQL, 0,
                Duration.ofSeconds(120));
    }

    /** {@code $TRAINLEDGER_CACHE}, else {@code ~/.cache/trainledger}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("TRAINLEDGER_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "trainledger");
    }

    public StackSettings withPorts(int broker, int controller, int registry, int registryManagement) {
        return new StackSettings(dataDir, cacheDir, broker, controller, registry, registryManagement, registryStorage,
                partitions, startTimeout);
    }

    public StackSettings withRegistryStorage(RegistryStorage storage) {
        return new StackSettings(dataDir, cacheDir, brokerPort, controllerPort, registryPort, registryManagementPort,
                storage, partitions, startTimeout);
    }

    public StackSettings withPartitions(int n) {
        return new StackSettings(dataDir, cacheDir, brokerPort, controllerPort, registryPort, registryManagementPort,
                registryStorage, n, startTimeout);
    }
}
