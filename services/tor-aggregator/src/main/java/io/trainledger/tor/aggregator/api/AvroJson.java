package io.trainledger.tor.aggregator.api;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns an Avro record (a {@code TorReport}) into plain JSON-ready values, field by field in schema order.
 * JSON has no infinity or NaN: a non-finite double becomes {@code null} (for example {@code model.mtbfSeconds} of a
 * run without rollback failures, which is +Infinity in the Avro report). Timestamps become ISO-8601 strings.
 */
public final class AvroJson {
    private AvroJson() {
    }

    public static Map<String, Object> toMap(SpecificRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            out.put(field.name(), value(record.get(field.pos())));
        }
        return out;
    }

    private static Object value(Object v) {
        if (v == null) {
            return null;
        } else if (v instanceof SpecificRecord r) {
            return toMap(r);
        } else if (v instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        } else if (v instanceof Float f) {
            return Float.isFinite(f) ? f : null;
        } else if (v instanceof Number || v instanceof Boolean) {
            return v;
        } else if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof Instant) {
            return v.toString();
        } else if (v instanceof Collection<?> c) {
            List<Object> list = new ArrayList<>(c.size());
            for (Object o : c) {
                list.add(value(o));
            }
            return list;
        } else if (v instanceof Map<?, ?> m) {
            Map<String, Object> map = new LinkedHashMap<>();
            m.forEach((k, val) -> map.put(String.valueOf(k), value(val)));
            return map;
        } else if (v instanceof ByteBuffer b) {
            return Base64.getEncoder().encodeToString(b.duplicate().array());
        }
        return v.toString();
    }
}
