package io.trainledger.trainer;

import io.apicurio.registry.serde.avro.AvroSerde;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serde of a {@link Topic}, configured as {@code topic.valueSerde(registry)} does
 * ({@link RegistrySettings#serdeConfig()}) except for the datum provider: {@link LoaderSafeDatumProvider}, given as a
 * class rather than a name. Both are about Quarkus' test and dev class loaders, where Apicurio and Avro cannot see the
 * classes of our reloadable workspace modules by name (see that class).
 */
public final class ValueSerdes {
    private ValueSerdes() {
    }

    public static <V extends SpecificRecord> Serde<V> of(Topic<String, V> topic, RegistrySettings registry) {
        Map<String, Object> config = new HashMap<>(registry.serdeConfig());
        config.put(AvroSerdeConfig.AVRO_DATUM_PROVIDER, LoaderSafeDatumProvider.class);
        AvroSerde<V> serde = new AvroSerde<>();
        serde.configure(config, false);
        return serde;
    }
}
