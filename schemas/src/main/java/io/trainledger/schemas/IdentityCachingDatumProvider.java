package io.trainledger.schemas;

import io.apicurio.registry.serde.avro.AvroDatumProvider;
import io.apicurio.registry.serde.avro.AvroSerdeConfig;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;

/**
 * Apicurio's default datum provider with a cache in front keyed by schema <em>identity</em>.
 *
 * <p>Why: {@link DefaultAvroDatumProvider} (serde 3.1.7) looks up its reader and writer caches by the schema's
 * parsing fingerprint, which it recomputes for every record; for our envelope (a 12 KB schema) that was 95% of the
 * serde's time, about 33 µs per record each way against under 1 µs for Avro itself (profiled with JFR; see
 * docs/BENCHMARKS.md). Generated classes share one static schema instance and the registry client caches the
 * schema it resolves per id, so an identity lookup hits every time after the first; on a miss the default provider
 * decides, so behaviour is unchanged.
 */
public final class IdentityCachingDatumProvider<T> implements AvroDatumProvider<T> {
    private final DefaultAvroDatumProvider<T> delegate = new DefaultAvroDatumProvider<>();
    private final Map<SchemaIdentity, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<SchemaIdentity, DatumReader<T>> readers = new ConcurrentHashMap<>();

    @Override
    public void configure(AvroSerdeConfig config) {
        delegate.configure(config);
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        return writers.computeIfAbsent(new SchemaIdentity(schema, data == null ? null : data.getClass()),
                k -> delegate.createDatumWriter(data, schema));
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return readers.computeIfAbsent(new SchemaIdentity(schema, null), k -> delegate.createDatumReader(schema));
    }

    @Override
    public Schema toSchema(T data) {
        return delegate.toSchema(data);
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
