package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer that knows nothing of Apicurio: raw bytes from Kafka, the Confluent wire format (magic byte 0, 4-byte
 * big-endian schema id, Avro binary), the writer schema fetched by id from the registry's Confluent-compatible API,
 * plain Avro decoding. Our topics must be decodable that way.
 */
@ExtendWith(EmbeddedStackExtension.class)
class ConfluentWireFormatIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void ledgerRecordsDecodeThroughTheConfluentCompatibleApiAlone(StackConnection stack) throws Exception {
        String runId = "wire-" + UUID.randomUUID();
        List<RunEvent> sent = SampleRecords.runEvents(runId);
        List<ConsumerRecord<byte[], byte[]>> raw = produceAndReadRaw(stack, runId, sent);
        assertThat(raw).hasSize(sent.size());

        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < sent.size(); i++) {
            ByteBuffer buf = ByteBuffer.wrap(raw.get(i).value());
            assertThat(buf.get()).as("magic byte").isEqualTo((byte) 0);
            int id = buf.getInt();
            assertThat(raw.get(i).headers().toArray()).as("no schema id in headers").isEmpty();

            // GET /schemas/ids/{id}: the Confluent client's only registry call when reading.
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(stack.ccompatUrl() + "/schemas/ids/" + id))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(resp.body());
            Schema writer = new Schema.Parser().parse(body.get("schema").asText());

            byte[] avro = new byte[buf.remaining()];
            buf.get(avro);
            // Generic decoding: no generated classes at all.
            GenericRecord generic = new GenericDatumReader<GenericRecord>(writer)
                    .read(null, DecoderFactory.get().binaryDecoder(avro, null));
            RunEvent expected = sent.get(i);
            assertThat(generic.get("runId").toString()).isEqualTo(runId);
            assertThat(generic.get("eventId").toString()).isEqualTo(expected.getEventId().toString());
            long micros = expected.getEventTime().getEpochSecond() * 1_000_000L + expected.getEventTime().getNano() / 1000;
            assertThat(generic.get("eventTime")).isEqualTo(micros);
            assertThat(((GenericRecord) generic.get("payload")).getSchema().getFullName())
                    .isEqualTo(expected.getPayload().getClass().getName());
            // Specific decoding with plain Avro resolution (writer schema from the registry, reader = our classes).
            RunEvent specific = new SpecificDatumReader<RunEvent>(writer, RunEvent.getClassSchema())
                    .read(null, DecoderFactory.get().binaryDecoder(avro, null));
            assertThat(specific).isEqualTo(expected);
        }
    }

    @Test
    void theSubjectIsListedUnderTheTopicNamingConfluentClientsUse(StackConnection stack) throws Exception {
        String runId = "wire-" + UUID.randomUUID();
        produceAndReadRaw(stack, runId, SampleRecords.runEvents(runId).subList(0, 1));
        HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(stack.ccompatUrl() + "/subjects")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("\"trainledger.run-events-value\"");
    }

    private static List<ConsumerRecord<byte[], byte[]>> produceAndReadRaw(StackConnection stack, String key,
                                                                          List<RunEvent> events) throws Exception {
        RecordMetadata first = null;
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(stack.registry());
             KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                     Topics.RUN_EVENTS.keySerde().serializer(), serde.serializer())) {
            for (RunEvent e : events) {
                RecordMetadata m = producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), key, e)).get();
                first = first == null ? m : first;
            }
        }
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(first.topic(), first.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, first.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < events.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(new String(r.key()))) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }
}
