package io.trainledger.schemas;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic of the TrainLedger contract: its name, how keys and values are (de)serialised, and how it is provisioned.
 * Value serdes need the registry's address, so they are built from a {@link RegistrySettings}.
 *
 * @param name topic name (fixed by the contract)
 * @param keyType Java type of keys
 * @param valueType Java type of values (an Avro SpecificRecord, or {@code byte[]} for the dead-letter topic)
 * @param defaultPartitions partitions when provisioning, unless overridden
 * @param config topic-level configuration (retention, cleanup policy, ...)
 * @param keySerde serde of keys
 * @param valueSerdeFactory builds the value serde against a registry
 */
public record Topic<K, V>(String name, Class<K> keyType, Class<V> valueType, int defaultPartitions,
                          Map<String, String> config, Serde<K> keySerde,
                          Function<RegistrySettings, Serde<V>> valueSerdeFactory) {

    public Topic {
        Objects.requireNonNull(name, "name");
        config = Map.copyOf(config);
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + defaultPartitions);
        }
    }

    /** The value serde of this topic, configured against the given registry (as a value serde). */
    public Serde<V> valueSerde(RegistrySettings registry) {
        return valueSerdeFactory.apply(registry);
    }

    @Override
    public String toString() {
        return name;
    }
}
