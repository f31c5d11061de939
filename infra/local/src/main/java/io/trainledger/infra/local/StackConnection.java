package io.trainledger.infra.local;

import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where a running stack listens: what clients need and nothing else. Written to {@code connection.properties} in
 * the data directory so that other processes (services, the CLI, tests) can find a running stack.
 *
 * <p>For a secured cluster the file may also hold Kafka client settings as {@code kafka.<client key>} (for example
 * {@code kafka.security.protocol=SASL_SSL}, {@code kafka.ssl.truststore.location=...}: the {@code kafka.} prefix of
 * the services' configuration) and the schema registry's client settings as {@code apicurio.registry.<key>}
 * ({@link RegistrySettings#CLIENT_KEYS}). The embedded stack writes neither: it listens on 127.0.0.1 in PLAINTEXT.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param registryUrl Apicurio Registry native API, {@code http://host:port/apis/registry/v3}
 * @param registryHealthUrl readiness endpoint on the registry's management interface
 * @param kafkaClient Kafka client settings of a secured cluster (SASL, TLS), none by default
 * @param registryClient the serdes' registry client settings (auth, TLS), none by default
 */
public record StackConnection(String bootstrapServers, String registryUrl, String registryHealthUrl,
                              KafkaClientProperties kafkaClient, Map<String, String> registryClient) {
    public static final String FILE = "connection.properties";
    private static final String KAFKA_PREFIX = "kafka.";
    private static final String REGISTRY_CLIENT_PREFIX = "apicurio.registry.";

    public StackConnection {
        kafkaClient = kafkaClient == null ? KafkaClientProperties.none() : kafkaClient;
        registryClient = registryClient == null ? Map.of() : Map.copyOf(registryClient);
    }

    /** A PLAINTEXT stack without registry authentication (the embedded one). */
    public StackConnection(String bootstrapServers, String registryUrl, String registryHealthUrl) {
        this(bootstrapServers, registryUrl, registryHealthUrl, KafkaClientProperties.none(), Map.of());
    }

    /** The Confluent-compatible API of the same registry. */
    public String ccompatUrl() {
        return registry().ccompatUrl();
    }

    /**
     * Registry settings for the TrainLedger serdes, with the registry client settings.
     *
     * @throws IllegalArgumentException if a registry client setting is not one the serdes know
     */
    public RegistrySettings registry() {
        return RegistrySettings.of(registryUrl).withClientSettings(registryClient);
    }

    /**
     * This connection with a client properties file's settings over the file's own: like the
     * {@code --command-config} file of Kafka's tools, plain Kafka client keys ({@code security.protocol=SASL_SSL},
     * {@code sasl.jaas.config=...}), plus {@code apicurio.registry.*} keys for the registry client.
     */
    public StackConnection withClientConfig(KafkaClientProperties file) {
        Map<String, Object> kafka = new HashMap<>();
        Map<String, String> registry = new TreeMap<>(registryClient);
        file.asMap().forEach((k, v) -> {
            if (k.startsWith(REGISTRY_CLIENT_PREFIX)) {
                registry.put(k, String.valueOf(v));
            } else {
                kafka.put(k, v);
            }
        });
        return new StackConnection(bootstrapServers, registryUrl, registryHealthUrl,
                kafkaClient.overriddenBy(KafkaClientProperties.of(kafka)), registry);
    }

    /** Writes the connection file atomically. */
    public Path write(Path dataDir) {
        Properties props = new Properties();
        kafkaClient.asMap().forEach((k, v) -> props.setProperty(KAFKA_PREFIX + k, String.valueOf(v)));
        registryClient.forEach(props::setProperty);
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
        Map<String, Object> kafka = new HashMap<>();
        Map<String, String> registry = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key).trim();
            if (key.startsWith(REGISTRY_CLIENT_PREFIX)) {
                registry.put(key, value);
            } else if (key.startsWith(KAFKA_PREFIX) && !key.equals("kafka.bootstrap.servers")) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), value);
            }
        }
        return new StackConnection(props.getProperty("kafka.bootstrap.servers"), props.getProperty("registry.url"),
                props.getProperty("registry.health.url", ""), KafkaClientProperties.of(kafka), registry);
    }
}
