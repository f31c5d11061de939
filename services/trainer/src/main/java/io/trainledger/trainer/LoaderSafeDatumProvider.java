package io.trainledger.trainer;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Apicurio datum provider whose readers resolve generated classes through this class's own loader, cached by schema
 * identity (as {@code IdentityCachingDatumProvider} does for speed).
 *
 * <p>Why: Apicurio's default provider looks the reader class up with {@code SpecificData.get()}, i.e. through Avro's
 * class loader. Under {@code @QuarkusTest} our modules (schemas) are reloadable workspace modules in a child loader
 * that Avro's loader cannot see, so the lookup found a second copy of every generated class through the system
 * loader and decoding failed with ClassCastExceptions. In a packaged application both loaders are the same and this
 * behaves exactly like the default provider.
 */
public final class LoaderSafeDatumProvider<T> implements AvroDatumProvider<T> {
    private final DefaultAvroDatumProvider<T> delegate = new DefaultAvroDatumProvider<>();
    // Keyed by identity: generated classes share one static schema instance and the registry client caches the
    // schema it resolves per id.
    private final Map<Schema, DatumWriter<T>> writers = Collections.synchronizedMap(new IdentityHashMap<>());
    private final Map<Schema, DatumReader<T>> readers = Collections.synchronizedMap(new IdentityHashMap<>());
    private final SpecificData data = new SpecificData(LoaderSafeDatumProvider.class.getClassLoader());

    public LoaderSafeDatumProvider() {
        // What the generated classes' own models register: a logical type inside a union (an optional timestamp)
        // is converted through the model, not through the record's per-field conversions.
        data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new Conversions.UUIDConversion());
    }

    @Override
    public void configure(AvroSerdeConfig config) {
        delegate.configure(config);
    }

    @Override
    public DatumWriter<T> createDatumWriter(T value, Schema schema) {
        return writers.computeIfAbsent(schema, s -> delegate.createDatumWriter(value, schema));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema writerSchema) {
        return readers.computeIfAbsent(writerSchema, s -> {
            Class<?> type = data.getClass(writerSchema);
            if (type == null) {
                return delegate.createDatumReader(writerSchema);
            }
            return new SpecificDatumReader<>(writerSchema, data.getSchema(type), data);
        });
    }

    @Override
    public Schema toSchema(T value) {
        return delegate.toSchema(value);
    }
}
