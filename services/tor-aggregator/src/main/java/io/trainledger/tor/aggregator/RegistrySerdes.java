package io.trainledger.tor.aggregator;

import io.apicurio.registry.serde.avro.AvroSerde;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serde of a catalogue topic, exactly as {@code Topic.valueSerde(registry)} builds it (Apicurio's
 * {@link AvroSerde} with {@link RegistrySettings#serdeConfig()}), except that the datum provider is handed over as a
 * class object instead of its name.
 *
 * <p>Why: Apicurio loads a datum provider named by a string through the class loader of its own config class. Under
 * Quarkus' test and dev class loaders that finds a second copy of {@code IdentityCachingDatumProvider} whose
 * interface comes from another loader, and {@code configure} fails with "Cannot handle configuration
 * [AvroDatumProvider]". A class object is taken as it is; if even that one implements another loader's interface
 * (the schemas jar is loaded parent-first in dev and test, see application.properties), Apicurio's default provider
 * is used, which reads and writes the same bytes without the identity cache. In a packaged application there is one
 * class loader and the configured provider is used. (Putting the class object into {@code RegistrySettings} would
 * make most of this unnecessary.)
 */
public final class RegistrySerdes {
    private RegistrySerdes() {
    }

    public static <V extends SpecificRecord> Serde<V> valueSerde(Topic<String, V> topic, RegistrySettings registry) {
        Map<String, Object> config = new HashMap<>(registry.serdeConfig());
        Object provider = config.get(AvroSerdeConfig.AVRO_DATUM_PROVIDER);
        if (provider instanceof String name) {
            try {
                config.put(AvroSerdeConfig.AVRO_DATUM_PROVIDER, Class.forName(name, true, Topic.class.getClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("datum provider " + name + " not found", e);
            }
        }
        AvroSerde<V> serde = new AvroSerde<>();
        try {
            serde.configure(config, false);
        } catch (IllegalArgumentException e) {
            // Under Quarkus' dev/test class loaders the configured provider implements another loader's copy of the
            // interface: fall back on Apicurio's default provider (same bytes, without the identity cache).
            config.remove(AvroSerdeConfig.AVRO_DATUM_PROVIDER);
            serde = new AvroSerde<>();
            serde.configure(config, false);
        }
        return serde;
    }
}
