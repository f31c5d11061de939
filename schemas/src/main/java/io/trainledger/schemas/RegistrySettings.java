package io.trainledger.schemas;

import io.apicurio.registry.resolver.config.SchemaResolverConfig;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.config.SerdeConfig;
import io.apicurio.registry.serde.kafka.config.KafkaSerdeConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

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
 * @param autoRegister whether producers register their schema (true for services; false for strict deployments)
 */
public record RegistrySettings(String url, boolean autoRegister) {

    public RegistrySettings {
        Objects.requireNonNull(url, "registry url");
    }

    /** Auto-registering settings for the given v3 API URL. */
    public static RegistrySettings of(String url) {
        return new RegistrySettings(url, true);
    }

    /** The Confluent-compatible API's base URL ({@code .../apis/ccompat/v7}) of the same registry. */
    public String ccompatUrl() {
        return url.replaceFirst("/apis/registry/v3/?$", "/apis/ccompat/v7");
    }

    /** Serde configuration for Apicurio's Avro serdes (producer, consumer or Kafka Streams properties). */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>();
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
}
