package io.trainledger.schemas;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Apicurio's default datum provider with a cache in front keyed by schema <em>identity</em>, and specific readers
 * that resolve generated classes through this class's own loader.
 *
 * <p>Why the cache: {@link DefaultAvroDatumProvider} (serde 3.1.7) looks up its reader and writer caches by the
 * schema's parsing fingerprint, which it recomputes for every record; for our envelope (a 12 KB schema) that was 95%
 * of the serde's time, about 33 µs per record each way against under 1 µs for Avro itself (profiled with JFR; see
 * docs/BENCHMARKS.md). Generated classes share one static schema instance and the registry client caches the schema
 * it resolves per id, so an identity lookup hits every time after the first.
 *
 * <p>Why the loader: the default provider finds the reader class through {@code SpecificData.get()}, i.e. Avro's
 * class loader. Under {@code @QuarkusTest} the schemas module is a reloadable workspace module in a child loader that
 * Avro's loader cannot see, so the lookup found a second copy of every generated class and decoding failed with
 * ClassCastExceptions. In a packaged application both loaders are the same and the result is what the default
 * provider gives.
 */
public final class IdentityCachingDatumProvider<T> implements AvroDatumProvider<T> {
    private final DefaultAvroDatumProvider<T> delegate = new DefaultAvroDatumProvider<>();
    private final Map<SchemaIdentity, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<SchemaIdentity, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final SpecificData data = new SpecificData(IdentityCachingDatumProvider.class.getClassLoader());
    private volatile boolean specificReader;

    public IdentityCachingDatumProvider() {
        // What the generated classes' own models register: a logical type inside a union (an optional timestamp)
        // is converted through the model, not through the record's per-field conversions.
        data.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        data.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        data.addLogicalTypeConversion(new Conversions.UUIDConversion());
    }

    @Override
    public void configure(AvroSerdeConfig config) {
        delegate.configure(config);
        specificReader = config.useSpecificAvroReader();
    }

    @Override
    public DatumWriter<T> createDatumWriter(T value, Schema schema) {
        return writers.computeIfAbsent(new SchemaIdentity(schema, value == null ? null : value.getClass()),
                k -> delegate.createDatumWriter(value, schema));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema writerSchema) {
        return readers.computeIfAbsent(new SchemaIdentity(writerSchema, null), k -> {
            Class<?> type = specificReader ? data.getClass(writerSchema) : null;
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

    /** A schema compared by reference (plus the datum class for writers, as the default provider's key does). */
    private record SchemaIdentity(Schema schema, Class<?> type) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SchemaIdentity other && other.schema == schema && other.type == type;
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(schema) + (type == null ? 0 : type.hashCode());
        }
    }
}
