package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topic;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every record type of the contract through the real broker and registry serdes: equal after decoding. */
@ExtendWith(EmbeddedStackExtension.class)
class EventRoundTripIT {

    @Test
    void everyLedgerEventTypeRoundTrips(StackConnection stack) throws Exception {
        String runId = "roundtrip-" + UUID.randomUUID();
        List<RunEvent> sent = SampleRecords.runEvents(runId);
        assertThat(sent).hasSize(RunEvent.getClassSchema().getField("payload").schema().getTypes().size());
        assertThat(roundTrip(stack, Topics.RUN_EVENTS, runId, sent)).containsExactlyElementsOf(sent);
    }

    @Test
    void heartbeatsCommandsAndReportsRoundTrip(StackConnection stack) throws Exception {
        String runId = "roundtrip-" + UUID.randomUUID();
        List<Heartbeat> beats = List.of(SampleRecords.heartbeat(runId));
        assertThat(roundTrip(stack, Topics.HEARTBEATS, runId, beats)).containsExactlyElementsOf(beats);

        List<RunCommand> commands = SampleRecords.commands(runId);
        assertThat(commands).hasSize(RunCommand.getClassSchema().getField("payload").schema().getTypes().size());
        assertThat(roundTrip(stack, Topics.COMMANDS, runId, commands)).containsExactlyElementsOf(commands);

        List<TorReport> reports = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            reports.add(new SchemaFiller(seed).fill(TorReport.class));
        }
        assertThat(roundTrip(stack, Topics.TOR, runId, reports)).containsExactlyElementsOf(reports);
    }

    @Test
    void randomlyFilledRecordsOfEveryTypeRoundTrip(StackConnection stack) throws Exception {
        // Schema-driven values reach every union branch, enum symbol and optional field over the seeds.
        String runId = "roundtrip-" + UUID.randomUUID();
        List<RunEvent> events = new ArrayList<>();
        List<RunCommand> commands = new ArrayList<>();
        for (long seed = 1; seed <= 40; seed++) {
            events.add(new SchemaFiller(seed).fill(RunEvent.class));
            commands.add(new SchemaFiller(seed).fill(RunCommand.class));
        }
        assertThat(roundTrip(stack, Topics.RUN_EVENTS, runId, events)).containsExactlyElementsOf(events);
        assertThat(roundTrip(stack, Topics.COMMANDS, runId, commands)).containsExactlyElementsOf(commands);
    }

    /** Produces the values under one key (one partition, so order is kept) and reads them back from their offsets. */
    static <V extends SpecificRecord> List<V> roundTrip(StackConnection stack, Topic<String, V> topic, String key,
                                                        List<V> values) throws Exception {
        long first = -1;
        int partition = -1;
        try (Serde<V> serde = topic.valueSerde(stack.registry());
             KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), topic.keySerde().serializer(), serde.serializer())) {
            for (V v : values) {
                RecordMetadata m = producer.send(new ProducerRecord<>(topic.name(), key, v)).get();
                if (first < 0) {
                    first = m.offset();
                    partition = m.partition();
                }
            }
        }
        List<V> received = new ArrayList<>();
        try (Serde<V> serde = topic.valueSerde(stack.registry());
             KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), topic.keySerde().deserializer(), serde.deserializer())) {
            TopicPartition tp = new TopicPartition(topic.name(), partition);
            consumer.assign(List.of(tp));
            consumer.seek(tp, first);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < values.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        received.add(r.value());
                    }
                }
            }
        }
        return received;
    }
}
