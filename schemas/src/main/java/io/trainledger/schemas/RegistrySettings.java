package io.trainledger.schemas;

import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How every TrainLedger client talks to the schema registry: the Apicurio Registry v3 URL plus the serde settings
 * that make the topics decodable by any consumer from the registry alone.
 *
 * <p>Choices, and why (see docs/EVENTS.md):
 * <ul>
 *   <li>Schema id in the payload, not in headers, as a 4-byte content id after a zero magic byte: the Confluent wire
 *       format. A consumer that only speaks Confluent's format resolves the id through the registry's
 *       {@code /apis/ccompat/v7/schemas/ids/{id}} endpoint. ({@code globalId} would break that: ccompat ids are
 *       content ids.)</li>
 *   <li>Dereferenced schemas: the union payload is registered as one self-contained schema, which older
 *       Confluent-format readers need.</li>
 *   <li>Auto-registration by producers, checked by the registry's BACKWARD compatibility rule set at provisioning;
 *       {@code find-latest} stays off so every producer writes with the schema it was compiled against.</li>
 *   <li>{@link IdentityCachingDatumProvider}: the default datum provider recomputes a schema fingerprint per record,
 *       which made the serde 8x slower than raw bytes end to end.</li>
 * </ul>
 *
 * @param url registry base URL of the native v3 API, e.g. {@code http://127.0.0.1:8080/apis/registry/v3}
 * <p>Authentication and TLS towards the registry: the serdes' own client settings ({@link #CLIENT_KEYS}: basic
 * auth, OAuth2 client credentials, truststore, proxy), read from configuration by {@link #withClientSettings}. None
 * set (the default) changes nothing.
 *
 * @param url registry base URL of the native v3 API, e.g. {@code http://127.0.0.1:8080/apis/registry/v3}
 * @param autoRegister whether producers register their schema (true for services; false for strict deployments)
 * @param client the serdes' registry client settings (keys from {@link #CLIENT_KEYS}), empty by default
 */
public record RegistrySettings(String url, boolean autoRegister, Map<String, String> client) {

    /**
     * The registry client settings of Apicurio's serdes (3.1.7, the version the Quarkus BOM manages; constants of
     * {@link SchemaResolverConfig}, read by its {@code RegistryClientFacadeFactory}): OAuth2 client credentials,
     * basic auth, TLS trust, HTTP proxy.
     */
    public static final List<String> CLIENT_KEYS = List.of(
            SchemaResolverConfig.AUTH_TOKEN_ENDPOINT,
            SchemaResolverConfig.AUTH_CLIENT_ID,
            SchemaResolverConfig.AUTH_CLIENT_SECRET,
            SchemaResolverConfig.AUTH_CLIENT_SCOPE,
            SchemaResolverConfig.AUTH_USERNAME,
            SchemaResolverConfig.AUTH_PASSWORD,
            SchemaResolverConfig.TLS_TRUSTSTORE_LOCATION,
            SchemaResolverConfig.TLS_TRUSTSTORE_PASSWORD,
            SchemaResolverConfig.TLS_TRUSTSTORE_TYPE,
            SchemaResolverConfig.TLS_CERTIFICATES,
            SchemaResolverConfig.TLS_TRUST_ALL,
            SchemaResolverConfig.TLS_VERIFY_HOST,
            SchemaResolverConfig.PROXY_HOST,
            SchemaResolverConfig.PROXY_PORT,
            SchemaResolverConfig.PROXY_USERNAME,
            SchemaResolverConfig.PROXY_PASSWORD);

    public RegistrySettings {
        Objects.requireNonNull(url, "registry url");
        client = client == null ? Map.of() : client;
        for (String key : client.keySet()) {
            if (!CLIENT_KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown registry client setting '" + key + "' (known: "
                        + String.join(", ", CLIENT_KEYS) + ")");
            }
        }
        client = Map.copyOf(client);
    }

    /** Settings without registry client settings (no authentication, the JVM's default trust). */
    public RegistrySettings(String url, boolean autoRegister) {
        this(url, autoRegister, Map.of());
    }

    /** Auto-registering settings for the given v3 API URL. */
    public static RegistrySettings of(String url) {
        return new RegistrySettings(url, true);
    }

    /**
     * These settings plus the registry client settings {@code lookup} finds, asked key by key for each of
     * {@link #CLIENT_KEYS} (asking by name lets MicroProfile Config map environment variables such as
     * {@code APICURIO_REGISTRY_AUTH_USERNAME}); blank values count as unset.
     */
    public RegistrySettings withClientSettings(Function<String, Optional<String>> lookup) {
        Map<String, String> found = new TreeMap<>(client);
        for (String key : CLIENT_KEYS) {
            lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty()).ifPresent(v -> found.put(key, v));
        }
        return new RegistrySettings(url, autoRegister, found);
    }

    /**
     * These settings plus the {@code apicurio.registry.*} client settings among {@code properties} (other keys are
     * ignored).
     *
     * @throws IllegalArgumentException for an {@code apicurio.registry.} key that is not one of {@link #CLIENT_KEYS}
     */
    public RegistrySettings withClientSettings(Map<String, ?> properties) {
        Map<String, String> found = new TreeMap<>(client);
        properties.forEach((k, v) -> {
            if (k.startsWith("apicurio.registry.") && v != null && !v.toString().isBlank()) {
                found.put(k, v.toString().trim());
            }
        });
        return new RegistrySettings(url, autoRegister, found);
    }

    /** The Confluent-compatible API's base URL ({@code .../apis/ccompat/v7}) of the same registry. */
    public String ccompatUrl() {
        return url.replaceFirst("/apis/registry/v3/?$", "/apis/ccompat/v7");
    }

    /** Serde configuration for Apicurio's Avro serdes (producer, consumer or Kafka Streams properties). */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>(client);
        config.put(SchemaResolverConfig.REGISTRY_URL, url);
        config.put(SchemaResolverConfig.AUTO_REGISTER_ARTIFACT, autoRegister);
        config.put(SchemaResolverConfig.FIND_LATEST_ARTIFACT, false);
        config.put(SchemaResolverConfig.DEREFERENCE_SCHEMA, true);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(KafkaSerdeConfig.ENABLE_HEADERS, false);
        config.put(AvroSerdeConfig.USE_SPECIFIC_AVRO_READER, true);
        // A class, not its name: under Quarkus test class loaders a name may resolve in another loader.
        config.put(AvroSerdeConfig.AVRO_DATUM_PROVIDER, IdentityCachingDatumProvider.class);
        return config;
    }

    /** Secrets masked (client secret, passwords): safe to log. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        client.forEach((k, v) -> shown.put(k, k.contains("password") || k.contains("secret") ? "[hidden]" : v));
        return "RegistrySettings[url=" + url + ", autoRegister=" + autoRegister + ", client=" + shown + "]";
    }
}
