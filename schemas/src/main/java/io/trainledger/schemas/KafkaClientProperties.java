package io.trainledger.schemas;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.types.Password;

/**
 * Kafka client settings a deployment chooses and TrainLedger passes on untouched to every client it builds: SASL,
 * TLS and other connection keys ({@code security.protocol}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}, ...). They come from a client properties file (as with the {@code --command-config}
 * of Kafka's own tools) or from a Kafka Streams service's configuration ({@link #securityOf}).
 *
 * <p>TrainLedger's own settings always win ({@link #under}): bootstrap servers, serializers, {@code acks=all},
 * idempotence, {@code read_committed}, offsets not auto-committed. A properties file can secure a client, never
 * weaken the ledger's guarantees.
 */
public final class KafkaClientProperties {
    private static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

    private final Map<String, Object> values;

    private KafkaClientProperties(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** No extra settings: a PLAINTEXT cluster. */
    public static KafkaClientProperties none() {
        return NONE;
    }

    /** These settings, as they are (keys are Kafka client configuration names). */
    public static KafkaClientProperties of(Map<String, ?> values) {
        return values.isEmpty() ? NONE : new KafkaClientProperties(values);
    }

    /**
     * Reads a Kafka client properties file (the {@code key=value} format of {@link Properties}).
     *
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if it cannot be read
     */
    public static KafkaClientProperties load(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        Map<String, Object> values = new HashMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        return of(values);
    }

    /** Every key a Kafka producer, consumer or admin client defines. */
    private static final Set<String> CLIENT_KEYS = clientKeys();

    private static Set<String> clientKeys() {
        Set<String> keys = new HashSet<>(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return Set.copyOf(keys);
    }

    /**
     * Whether a key is a Kafka client configuration key about how to connect securely: {@code security.protocol},
     * {@code security.providers}, {@code sasl.*}, {@code ssl.*}. Only keys Kafka's clients define count (Quarkus'
     * own spellings such as {@code ssl.endpoint-identification-algorithm} also land in a Streams configuration).
     */
    public static boolean isSecurityKey(String key) {
        return (key.equals("security.protocol") || key.equals("security.providers")
                || key.startsWith("sasl.") || key.startsWith("ssl.")) && CLIENT_KEYS.contains(key);
    }

    /**
     * The security keys of a Kafka Streams configuration as one kind of client of that application sees them: the
     * unprefixed keys, overridden by the ones Streams gives that client type through its prefix
     * ({@code producer.}, {@code admin.}, {@code consumer.}; see {@code StreamsConfig.producerPrefix}).
     *
     * @param streamsConfig the configuration (e.g. what a {@code DeserializationExceptionHandler} receives)
     * @param clientPrefix  {@code "producer."}, {@code "admin."}, ... or {@code ""} for the unprefixed keys only
     */
    public static KafkaClientProperties securityOf(Map<String, ?> streamsConfig, String clientPrefix) {
        Map<String, Object> security = new HashMap<>();
        streamsConfig.forEach((k, v) -> {
            if (v != null && isSecurityKey(k)) {
                security.put(k, v);
            }
        });
        if (!clientPrefix.isEmpty()) {
            streamsConfig.forEach((k, v) -> {
                if (v != null && k.startsWith(clientPrefix) && isSecurityKey(k.substring(clientPrefix.length()))) {
                    security.put(k.substring(clientPrefix.length()), v);
                }
            });
        }
        return of(security);
    }

    /** These settings with {@code other}'s put over them (for a file that overrides a connection file). */
    public KafkaClientProperties overriddenBy(KafkaClientProperties other) {
        if (other.values.isEmpty()) {
            return this;
        }
        Map<String, Object> merged = new HashMap<>(values);
        merged.putAll(other.values);
        return of(merged);
    }

    /**
     * A client configuration: these settings, then {@code trainLedgerSettings} put over them (TrainLedger's own keys
     * win; see the class comment).
     */
    public Map<String, Object> under(Map<String, ?> trainLedgerSettings) {
        Map<String, Object> config = new HashMap<>(values);
        config.putAll(trainLedgerSettings);
        return config;
    }

    /** As {@link #under}, as {@link Properties} (for Kafka Streams). */
    public Properties underProperties(Map<String, ?> trainLedgerSettings) {
        Properties props = new Properties();
        props.putAll(under(trainLedgerSettings));
        return props;
    }

    /** The settings, read-only, keys sorted. */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Keys with secrets masked (JAAS configurations, passwords, keys): safe to log. */
    @Override
    public String toString() {
        Map<String, Object> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, isSecret(k, v) ? "[hidden]" : v));
        return shown.toString();
    }

    static boolean isSecret(String key, Object value) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return value instanceof Password || k.contains("password") || k.contains("secret") || k.contains("jaas")
                || k.endsWith(".key") || k.contains("keystore.key") || k.contains("token");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaClientProperties other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
