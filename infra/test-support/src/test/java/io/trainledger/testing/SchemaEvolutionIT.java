package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.SchemaHistory;
import io.trainledger.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema evolution under the registry's BACKWARD rule (set by provisioning): every recorded version of every
 * subject registers in order, a compatible change is accepted, incompatible ones are refused, and an event written
 * with an older schema is read by the current code.
 */
@ExtendWith(EmbeddedStackExtension.class)
class SchemaEvolutionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyRecordedVersionRegistersInOrderThenChangesAreCheckedBackward(StackConnection stack) throws Exception {
        String prefix = "evolution-" + UUID.randomUUID() + "-";
        for (String subject : SchemaHistory.CURRENT.keySet()) {
            for (String version : SchemaHistory.texts(subject)) {
                assertThat(register(stack, prefix + subject, version).statusCode())
                        .as("registering a recorded version of %s", subject).isEqualTo(200);
            }
        }
        String ledger = prefix + "trainledger.run-events-value";
        ObjectNode current = (ObjectNode) JSON.readTree(RunEvent.getClassSchema().toString());

        // Compatible: a new optional envelope field with a default.
        ObjectNode withOptional = current.deepCopy();
        ((ArrayNode) withOptional.get("fields")).addObject().put("name", "traceId")
                .set("type", JSON.readTree("[\"null\",\"string\"]"));
        ((ObjectNode) withOptional.get("fields").get(withOptional.get("fields").size() - 1)).putNull("default");
        assertThat(register(stack, ledger, withOptional.toString()).statusCode()).isEqualTo(200);

        // Incompatible: a new required field (old events have no value for it).
        ObjectNode withRequired = current.deepCopy();
        ((ArrayNode) withRequired.get("fields")).addObject().put("name", "tenant").put("type", "string");
        HttpResponse<String> refused = register(stack, ledger, withRequired.toString());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);

        // Incompatible: a type change of an existing field.
        ObjectNode retyped = current.deepCopy();
        for (JsonNode f : retyped.get("fields")) {
            if (f.get("name").asText().equals("attempt")) {
                ((ObjectNode) f).put("type", "string");
            }
        }
        assertThat(register(stack, ledger, retyped.toString()).statusCode()).isEqualTo(409);
    }

    @Test
    void anEventWrittenWithAnOlderSchemaIsReadByTheCurrentCode(StackConnection stack) throws Exception {
        // The older schema: StepCompleted before kgLoss existed.
        ObjectNode old = (ObjectNode) JSON.readTree(RunEvent.getClassSchema().toString());
        for (JsonNode branch : old.at("/fields/5/type")) {
            if (branch.isObject() && "StepCompleted".equals(branch.get("name").asText())) {
                ArrayNode fields = (ArrayNode) branch.get("fields");
                for (int i = 0; i < fields.size(); i++) {
                    if ("kgLoss".equals(fields.get(i).get("name").asText())) {
                        fields.remove(i);
                    }
                }
            }
        }
        Schema oldSchema = new Schema.Parser().parse(old.toString());
        assertThat(oldSchema.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals("StepCompleted")).findFirst().orElseThrow().getField("kgLoss")).isNull();
        HttpResponse<String> registered = register(stack, "evolution-old-" + UUID.randomUUID(), old.toString());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        int id = JSON.readTree(registered.body()).get("id").asInt();

        String runId = "evolution-" + UUID.randomUUID();
        GenericRecord source = new GenericData.Record(oldSchema.getField("source").schema());
        source.put("service", "trainer");
        source.put("instance", "old-build");
        Schema stepSchema = oldSchema.getField("payload").schema().getTypes().stream()
                .filter(s -> s.getName().equals("StepCompleted")).findFirst().orElseThrow();
        GenericRecord step = new GenericData.Record(stepSchema);
        step.put("step", 12L);
        step.put("epoch", 0);
        step.put("stepNanos", 7_000_000L);
        step.put("loss", 1.5);
        step.put("ceLoss", 1.25);
        step.put("pplLoss", 0.25);
        step.put("ipplLoss", 0.0);
        step.put("accuracy", 0.5);
        step.put("samples", 32);
        step.put("lr", 0.002);
        GenericRecord event = new GenericData.Record(oldSchema);
        UUID eventId = UUID.randomUUID();
        event.put("eventId", eventId.toString());
        event.put("runId", runId);
        event.put("attempt", 1);
        event.put("source", source);
        event.put("eventTime", 1_795_000_000_123_456L);
        event.put("payload", step);

        // Confluent framing by hand, as an old producer of another stack would have written it.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(oldSchema).write(event, enc);
        enc.flush();

        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(stack.registry())) {
            RunEvent read = serde.deserializer().deserialize(Topics.RUN_EVENTS.name(), out.toByteArray());
            assertThat(read.getEventId()).isEqualTo(eventId);
            assertThat(read.getEventTime().getNano()).isEqualTo(123_456_000);
            StepCompleted payload = (StepCompleted) read.getPayload();
            assertThat(payload.getStep()).isEqualTo(12L);
            assertThat(payload.getPplLoss()).isEqualTo(0.25);
            assertThat(payload.getKgLoss()).as("default of the field the old schema lacks").isEqualTo(0.0);
        }
    }

    private HttpResponse<String> register(StackConnection stack, String subject, String schema) throws Exception {
        String body = JSON.writeValueAsString(Map.of("schema", schema));
        return http.send(HttpRequest.newBuilder(URI.create(stack.ccompatUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
