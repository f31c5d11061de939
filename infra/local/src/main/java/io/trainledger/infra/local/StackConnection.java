package io.trainledger.infra.local;

import io.trainledger.schemas.RegistrySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * Where a running stack listens: what clients need and nothing else. Written to {@code connection.properties} in
 * the data directory so that other processes (services, the CLI, tests) can find a running stack.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registryUrl Apicurio Registry native API, {@code http://host:port/apis/registry/v3}
 * @param registryHealthUrl readiness endpoint on the registry's management interface
 */
public record StackConnection(String bootstrapServers, String registryUrl, String registryHealthUrl) {
    public static final String FILE = "connection.properties";

    /** The Confluent-compatible API of the same registry. */
    public String ccompatUrl() {
        return registry().ccompatUrl();
    }

    /** Registry settings for the TrainLedger serdes. */
    public RegistrySettings registry() {
        return RegistrySettings.of(registryUrl);
    }

    /** Writes the connection file atomically. */
    public Path write(Path dataDir) {
        Properties props = new Properties();
        props.setProperty("kafka.bootstrap.servers", bootstrapServers);
        props.setProperty("registry.url", registryUrl);
        props.setProperty("registry.ccompat.url", ccompatUrl());
        props.setProperty("registry.health.url", registryHealthUrl);
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (var out = Files.newOutputStream(tmp)) {
                props.store(out, "TrainLedger embedded stack: where it listens (127.0.0.1 only)");
            }
            Path target = dataDir.resolve(FILE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the connection file of a data directory. */
    public static StackConnection read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Properties props = new Properties();
        try (var in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("no running stack found: cannot read " + file, e);
        }
        return new StackConnection(props.getProperty("kafka.bootstrap.servers"), props.getProperty("registry.url"),
                props.getProperty("registry.health.url", ""));
    }
}
