package io.trainledger.trainer.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads plain JSON (field names and enum symbols exactly as in the Avro schema, nullable unions as the bare value or
 * null, omitted fields taking the schema's default) into a generated Avro record, collecting every problem as a
 * {@link FieldError} whose field is the dotted path ({@code checkpoint.intervalSteps}). Unknown fields and wrong types
 * are problems; nothing is coerced (a quoted number is not a number). Avro's own JSON decoder is not used because it
 * wants union branches wrapped and reports the first problem only, without a field path.
 *
 * <p>Generated classes are resolved through this class's loader (the application's), never Avro's: under Quarkus
 * tests Avro's own loader sees another copy of them.
 */
public final class AvroJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AvroJson() {
    }

    /** A field of the input and what is wrong with it. */
    public record FieldError(String field, String reason) {
    }

    /** The record read from {@code node}, or the problems found (all of them, in field order). */
    public record Result<T>(T value, List<FieldError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** Reads {@code node} as an instance of the generated record class {@code type}. */
    public static <T extends SpecificRecord> Result<T> read(JsonNode node, Class<T> type, Schema schema) {
        List<FieldError> errors = new ArrayList<>();
        Object value = convert(node, schema, "", errors);
        return new Result<>(errors.isEmpty() ? type.cast(value) : null, List.copyOf(errors));
    }

    private static Object convert(JsonNode node, Schema schema, String path, List<FieldError> errors) {
        String field = path.isEmpty() ? "(body)" : path;
        switch (schema.getType()) {
            case UNION -> {
                if (node == null || node.isNull()) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    errors.add(new FieldError(field, "must not be null"));
                    return null;
                }
                List<Schema> branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
                if (branches.size() != 1) {
                    errors.add(new FieldError(field, "unions of several non-null types are not supported here"));
                    return null;
                }
                return convert(node, branches.get(0), path, errors);
            }
            case NULL -> {
                if (node != null && !node.isNull()) {
                    errors.add(new FieldError(field, "must be null, not " + describe(node)));
                }
                return null;
            }
            case RECORD -> {
                return record(node, schema, path, errors);
            }
            case MAP -> {
                if (node == null || !node.isObject()) {
                    errors.add(new FieldError(field, "must be an object, not " + describe(node)));
                    return null;
                }
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), convert(e.getValue(), schema.getValueType(), join(path, e.getKey()), errors));
                }
                return map;
            }
            case ARRAY -> {
                if (node == null || !node.isArray()) {
                    errors.add(new FieldError(field, "must be an array, not " + describe(node)));
                    return null;
                }
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    list.add(convert(node.get(i), schema.getElementType(), path + "[" + i + "]", errors));
                }
                return list;
            }
            case ENUM -> {
                if (node == null || !node.isTextual() || !schema.getEnumSymbols().contains(node.asText())) {
                    errors.add(new FieldError(field, "must be one of " + schema.getEnumSymbols() + ", not "
                            + describe(node)));
                    return null;
                }
                return enumConstant(schema, node.asText());
            }
            case STRING -> {
                if (node == null || !node.isTextual()) {
                    errors.add(new FieldError(field, "must be a string, not " + describe(node)));
                    return null;
                }
                return node.asText();
            }
            case BOOLEAN -> {
                if (node == null || !node.isBoolean()) {
                    errors.add(new FieldError(field, "must be true or false, not " + describe(node)));
                    return null;
                }
                return node.asBoolean();
            }
            case INT -> {
                if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
                    errors.add(new FieldError(field, "must be a whole number (32-bit), not " + describe(node)));
                    return null;
                }
                return node.intValue();
            }
            case LONG -> {
                if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
                    errors.add(new FieldError(field, "must be a whole number (64-bit), not " + describe(node)));
                    return null;
                }
                return node.longValue();
            }
            case DOUBLE, FLOAT -> {
                if (node == null || !node.isNumber()) {
                    errors.add(new FieldError(field, "must be a number, not " + describe(node)));
                    return null;
                }
                return schema.getType() == Schema.Type.FLOAT ? (Object) node.floatValue() : (Object) node.doubleValue();
            }
            default -> {
                errors.add(new FieldError(field, "Avro type " + schema.getType() + " is not supported here"));
                return null;
            }
        }
    }

    private static Object record(JsonNode node, Schema schema, String path, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(path.isEmpty() ? "(body)" : path, "must be a JSON object, not " + describe(node)));
            return null;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                errors.add(new FieldError(join(path, name), "unknown field (known: " + schema.getFields().stream()
                        .map(Schema.Field::name).toList() + ")"));
            }
        }
        SpecificRecord record = newRecord(schema);
        for (Schema.Field f : schema.getFields()) {
            String fieldPath = join(path, f.name());
            JsonNode value = node.get(f.name());
            if (value == null) {
                if (!f.hasDefaultValue()) {
                    errors.add(new FieldError(fieldPath, "is required"));
                    continue;
                }
                value = defaultAsJson(f);
            }
            int before = errors.size();
            Object converted = convert(value, f.schema(), fieldPath, errors);
            if (errors.size() == before) {
                record.put(f.pos(), converted); // a bad value is reported, never stored (primitives refuse null)
            }
        }
        return record;
    }

    /** The field's schema default as JSON, so that it goes through the same conversion as given values. */
    private static JsonNode defaultAsJson(Schema.Field f) {
        Object d = f.defaultVal();
        return d == null || d == JsonProperties.NULL_VALUE ? NullNode.getInstance() : MAPPER.valueToTree(d);
    }

    private static SpecificRecord newRecord(Schema schema) {
        try {
            return (SpecificRecord) generatedClass(schema).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no generated class for " + schema.getFullName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Schema schema, String symbol) {
        return Enum.valueOf((Class<? extends Enum>) generatedClass(schema), symbol);
    }

    private static Class<?> generatedClass(Schema schema) {
        try {
            return Class.forName(schema.getFullName(), true, AvroJson.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no generated class for " + schema.getFullName(), e);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isNull()) {
            return "null";
        }
        String text = node.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + shown;
    }
}
