package io.trainledger.infra.local;

import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;

/**
 * Proves a stack works end to end: one {@code RunEvent} through the registry serdes into the ledger topic and back,
 * equal after decoding. Uses a dedicated {@code smoke-*} run id so it never disturbs real runs' TOR.
 */
public final class SmokeRoundTrip {
    private SmokeRoundTrip() {
    }

    /** Result: the event's coordinates and the round-trip time. */
    public record Result(String runId, int partition, long offset, Duration roundTrip) {
    }

    public static Result run(StackConnection connection) throws Exception {
        String runId = "smoke-" + UUID.randomUUID();
        RunEvent sent = RunEvents.of(runId, 0, RunEvents.source("cli", "smoke"),
                RunCancelled.newBuilder().setReason("smoke round trip").setStep(0).build());
        long t0 = System.nanoTime();
        RecordMetadata meta;
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(connection.registry());
             KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                     Topics.RUN_EVENTS.keySerde().serializer(), serde.serializer())) {
            meta = producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, sent)).get();
        }
        try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(connection.registry());
             KafkaConsumer<String, RunEvent> consumer = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers(),
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                     Topics.RUN_EVENTS.keySerde().deserializer(), serde.deserializer())) {
            TopicPartition tp = new TopicPartition(meta.topic(), meta.partition());
            consumer.assign(List.of(tp));
            consumer.seek(tp, meta.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, RunEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() == meta.offset()) {
                        if (!sent.equals(r.value())) {
                            throw new IllegalStateException("round trip changed the event:\n sent " + sent + "\n got  " + r.value());
                        }
                        return new Result(runId, meta.partition(), meta.offset(), Duration.ofNanos(System.nanoTime() - t0));
                    }
                }
            }
        }
        throw new IllegalStateException("the smoke event was acknowledged but could not be read back within 30 s");
    }
}
