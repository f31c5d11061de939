package io.trainledger.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.trainledger.events.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * A run configuration as a user writes it (YAML or JSON), checked against the Avro schema of {@link RunConfig}
 * before anything is sent: field names exactly the Avro field names, enums by symbol name, nested {@code checkpoint}
 * and {@code chaos} objects, omitted fields take the Avro defaults, plus an optional top-level {@code runId}. The
 * trainer validates the values themselves (ranges, vocabulary) and answers 400 with the same field/reason shape.
 */
public final class RunConfigDocument {
    /** The one field of a submission that is not part of RunConfig. */
    public static final String RUN_ID = "runId";

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RunConfigDocument() {
    }

    /** A file that cannot be read or parsed; the message says where. */
    public static final class UnreadableException extends Exception {
        public UnreadableException(String message) {
            super(message);
        }
    }

    /** Parses a file: JSON if it ends with {@code .json}, otherwise YAML (which also reads JSON). */
    public static ObjectNode read(Path file) throws UnreadableException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UnreadableException(file + ": no such file");
        } catch (IOException e) {
            throw new UnreadableException(file + ": cannot read: " + e.getMessage());
        }
        boolean json = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
        return parse(text, json, file.toString());
    }

    /** Parses text as JSON or YAML; {@code origin} names it in messages. */
    public static ObjectNode parse(String text, boolean json, String origin) throws UnreadableException {
        JsonNode node;
        try {
            node = (json ? JSON : YAML).readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? origin : origin + ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new UnreadableException(where + ": not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new UnreadableException(origin + ": empty; expected a run configuration (method, dataset, seed, steps, checkpoint, ...)");
        }
        if (!node.isObject()) {
            throw new UnreadableException(origin + ": expected an object of run configuration fields, found " + kind(node));
        }
        return (ObjectNode) node;
    }

    /** Every structural error of a submission against RunConfig's schema (empty when it conforms). */
    public static List<FieldError> validate(ObjectNode submission) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode runId = submission.get(RUN_ID);
        if (runId != null && !(runId.isTextual() && !runId.asText().isBlank())) {
            errors.add(new FieldError(RUN_ID, "must be a non-empty string"));
        }
        checkRecord(RunConfig.getClassSchema(), submission, "", Set.of(RUN_ID), errors);
        return errors;
    }

    private static void checkRecord(Schema record, JsonNode node, String prefix, Set<String> extra, List<FieldError> errors) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (record.getField(name) == null && !extra.contains(name)) {
                errors.add(new FieldError(prefix + name, "unknown field (known: " + fieldNames(record) + ")"));
            }
        }
        for (Schema.Field f : record.getFields()) {
            JsonNode value = node.get(f.name());
            String path = prefix + f.name();
            if (value == null) {
                if (!f.hasDefaultValue()) {
                    errors.add(new FieldError(path, "is required"));
                }
                continue;
            }
            check(f.schema(), value, path, errors);
        }
    }

    private static void check(Schema schema, JsonNode value, String path, List<FieldError> errors) {
        switch (schema.getType()) {
            case UNION -> {
                if (value.isNull() && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)) {
                    return;
                }
                List<Schema> branches = schema.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
                if (branches.size() == 1) {
                    check(branches.get(0), value, path, errors);
                } else {
                    errors.add(new FieldError(path, "unsupported union"));
                }
            }
            case RECORD -> {
                if (!value.isObject()) {
                    errors.add(new FieldError(path, "must be an object (" + schema.getName() + "), found " + kind(value)));
                } else {
                    checkRecord(schema, value, path + ".", Set.of(), errors);
                }
            }
            case MAP -> {
                if (!value.isObject()) {
                    errors.add(new FieldError(path, "must be an object of key: value pairs, found " + kind(value)));
                } else {
                    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        check(schema.getValueType(), e.getValue(), path + "." + e.getKey(), errors);
                    }
                }
            }
            case ENUM -> {
                if (!value.isTextual() || !schema.getEnumSymbols().contains(value.asText())) {
                    errors.add(new FieldError(path, "must be one of " + String.join(", ", userSymbols(schema))
                            + ", found " + describe(value)));
                }
            }
            case STRING -> {
                if (!value.isTextual()) {
                    errors.add(new FieldError(path, "must be a string, found " + describe(value)));
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    errors.add(new FieldError(path, "must be true or false, found " + describe(value)));
                }
            }
            case INT -> {
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    errors.add(new FieldError(path, "must be a whole number (32-bit), found " + describe(value)));
                }
            }
            case LONG -> {
                if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                    errors.add(new FieldError(path, "must be a whole number, found " + describe(value)));
                }
            }
            case FLOAT, DOUBLE -> {
                if (!value.isNumber()) {
                    errors.add(new FieldError(path, "must be a number, found " + describe(value)));
                }
            }
            case ARRAY -> {
                if (!value.isArray()) {
                    errors.add(new FieldError(path, "must be a list, found " + kind(value)));
                } else {
                    for (int i = 0; i < value.size(); i++) {
                        check(schema.getElementType(), value.get(i), path + "[" + i + "]", errors);
                    }
                }
            }
            default -> errors.add(new FieldError(path, "unsupported type " + schema.getType()));
        }
    }

    /** Enum symbols a user may write (UNKNOWN is the reader's fallback for newer symbols, never a choice). */
    private static List<String> userSymbols(Schema e) {
        return e.getEnumSymbols().stream().filter(s -> !s.equals("UNKNOWN")).toList();
    }

    private static String fieldNames(Schema record) {
        return String.join(", ", record.getFields().stream().map(Schema.Field::name).toList());
    }

    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        if (v.isNumber()) {
            return "a number " + v;
        }
        return v.isBoolean() ? v.toString() : kind(v);
    }

    private static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
