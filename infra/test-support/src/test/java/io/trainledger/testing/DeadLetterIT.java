package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterHeaders;
import io.trainledger.schemas.dlq.DeadLetterQueue;
import io.trainledger.schemas.dlq.DeadLetteringDecoder;
import io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Poison records (random bytes, an unknown schema id, a truncated Avro body) go to trainledger.dlq with their
 * reason and source coordinates, and the consumer keeps going: for plain consumers and for Kafka Streams.
 */
@ExtendWith(EmbeddedStackExtension.class)
class DeadLetterIT {

    @Test
    void plainConsumerDeadLettersPoisonAndKeepsConsuming(StackConnection stack) throws Exception {
        String runId = "dlq-plain-" + UUID.randomUUID();
        List<RecordMetadata> written = writePoisonThenValid(stack, runId);

        List<RunEvent> decoded = new ArrayList<>();
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(stack.registry());
             DeadLetterQueue dlq = new DeadLetterQueue(stack.bootstrapServers(), "dead-letter-it");
             KafkaConsumer<byte[], byte[]> consumer = rawConsumer(stack)) {
            DeadLetteringDecoder<RunEvent> decoder = new DeadLetteringDecoder<>(serde.deserializer(), dlq);
            TopicPartition tp = new TopicPartition(Topics.RUN_EVENTS.name(), written.get(0).partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, written.get(0).offset());
            long end = written.get(written.size() - 1).offset();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long position = -1;
            while (position < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    position = r.offset();
                    if (runId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        decoder.decode(r).ifPresent(decoded::add);
                    }
                }
            }
            assertThat(decoder.deadLettered()).isEqualTo(3);
        }
        assertThat(decoded).hasSize(1);
        assertThat(decoded.get(0).getRunId()).isEqualTo(runId);
        assertDeadLetters(stack, runId, written.subList(0, 3), "dead-letter-it");
    }

    @Test
    void kafkaStreamsDeadLettersPoisonAndKeepsProcessing(StackConnection stack) throws Exception {
        String runId = "dlq-streams-" + UUID.randomUUID();
        String appId = "dead-letter-it-" + UUID.randomUUID();
        List<RunEvent> seen = new CopyOnWriteArrayList<>();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.RUN_EVENTS.name(), Consumed.with(Topics.RUN_EVENTS.keySerde(),
                        Topics.RUN_EVENTS.valueSerde(stack.registry())))
                .filter((k, v) -> runId.equals(k))
                .foreach((k, v) -> seen.add(v));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetteringDeserializationHandler.class);
        // From the start of the shared ledger: other tests' records are filtered out by key.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("dlq-streams").toString());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        long before = DeadLetteringDeserializationHandler.deadLettered();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            List<RecordMetadata> written = writePoisonThenValid(stack, runId);
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> seen.size() == 1);
            assertThat(seen.get(0).getRunId()).isEqualTo(runId);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(DeadLetteringDeserializationHandler.deadLettered() - before).isGreaterThanOrEqualTo(3);
            assertDeadLetters(stack, runId, written.subList(0, 3), appId);
        }
    }

    /** Random bytes, an unknown schema id, a truncated body, then one valid event, all under the same key. */
    private static List<RecordMetadata> writePoisonThenValid(StackConnection stack, String runId) throws Exception {
        byte[] valid;
        RunEvent event = SampleRecords.runEvents(runId).get(3);
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(stack.registry())) {
            valid = serde.serializer().serialize(Topics.RUN_EVENTS.name(), event);
        }
        byte[] random = new byte[64];
        new Random(42).nextBytes(random);
        random[0] = 0x7f;
        byte[] unknownId = ByteBuffer.allocate(1 + 4 + 16).put((byte) 0).putInt(Integer.MAX_VALUE - 7)
                .put(Arrays.copyOfRange(valid, 5, 21)).array();
        byte[] truncated = Arrays.copyOf(valid, valid.length / 2);
        List<RecordMetadata> out = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = runId.getBytes(StandardCharsets.UTF_8);
            for (byte[] value : List.of(random, unknownId, truncated, valid)) {
                out.add(producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), key, value)).get());
            }
        }
        return out;
    }

    private static void assertDeadLetters(StackConnection stack, String runId, List<RecordMetadata> poison,
                                          String consumerName) {
        List<ConsumerRecord<byte[], byte[]>> letters = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = rawConsumer(stack)) {
            TopicPartition tp = new TopicPartition(Topics.DLQ.name(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key() != null && runId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        letters.add(r);
                    }
                }
                return letters.size() >= poison.size();
            });
        }
        assertThat(letters).hasSize(poison.size());
        for (int i = 0; i < poison.size(); i++) {
            ConsumerRecord<byte[], byte[]> letter = letters.get(i);
            assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.RUN_EVENTS.name());
            assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo(Integer.toString(poison.get(i).partition()));
            assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo(Long.toString(poison.get(i).offset()));
            assertThat(header(letter, DeadLetterHeaders.CONSUMER)).isEqualTo(consumerName);
            assertThat(header(letter, DeadLetterHeaders.REASON)).startsWith("cannot deserialize").hasSizeGreaterThan(30);
            assertThat(header(letter, DeadLetterHeaders.EXCEPTION)).isNotBlank();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return Optional.ofNullable(h).map(x -> new String(x.value(), StandardCharsets.UTF_8)).orElse(null);
    }

    private static KafkaConsumer<byte[], byte[]> rawConsumer(StackConnection stack) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
