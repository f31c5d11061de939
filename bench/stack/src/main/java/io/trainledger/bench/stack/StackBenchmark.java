package io.trainledger.bench.stack;

import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Prints (1) produce and consume throughput of {@code RunEvent}s through the Apicurio Avro serdes against the same
 * events as pre-encoded byte arrays on the same broker in the same run, and (2) the embedded stack's cold start
 * (fresh data directory) and warm start (existing data directory) times.
 *
 * <p>Arguments: {@code [events=200000] [startRepeats=3]}.
 */
public final class StackBenchmark {
    private StackBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path base = Files.createTempDirectory("trainledger-bench-");
        System.out.printf("TrainLedger stack benchmark: %d events, %d start repeats, %d cores, Java %s%n",
                events, repeats, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        List<Long> cold = new ArrayList<>();
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Path dir = base.resolve("start-" + i);
            try (EmbeddedStack s = EmbeddedStack.start(StackSettings.defaults(dir))) {
                cold.add(s.startupTime().toMillis());
            }
            try (EmbeddedStack s = EmbeddedStack.start(StackSettings.defaults(dir))) {
                warm.add(s.startupTime().toMillis());
            }
        }
        System.out.printf("stack start, fresh data dir (format + provision): median %d ms  %s%n", median(cold), cold);
        System.out.printf("stack start, existing data dir:                   median %d ms  %s%n", median(warm), warm);

        try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(base.resolve("throughput")).withPartitions(1))) {
            StackConnection c = stack.connection();
            List<RunEvent> payload = events(events);
            byte[][] encoded;
            try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(c.registry())) {
                encoded = payload.stream().map(e -> serde.serializer().serialize(Topics.RUN_EVENTS.name(), e)).toArray(byte[][]::new);
            }
            double avgBytes = Arrays.stream(encoded).mapToInt(b -> b.length).average().orElse(0);
            System.out.printf("RunEvent(StepCompleted) encoded size: %.1f bytes on average%n", avgBytes);
            // Warm-up of both paths, then measured runs, alternating so drift hits both.
            for (int round = 0; round < 2; round++) {
                boolean measured = round == 1;
                Result raw = run(c, encoded, new ByteArraySerializer(), new ByteArrayDeserializer(), Function.identity());
                Result avro;
                try (Serde<RunEvent> serde = Topics.RUN_EVENTS.valueSerde(c.registry())) {
                    avro = run(c, payload.toArray(RunEvent[]::new), serde.serializer(), serde.deserializer(), Function.identity());
                }
                Result stock;
                try (Serde<RunEvent> serde = stockApicurioSerde(c)) {
                    stock = run(c, payload.toArray(RunEvent[]::new), serde.serializer(), serde.deserializer(), Function.identity());
                }
                if (measured) {
                    System.out.printf("produce  raw bytes : %,10.0f events/s%n", raw.producePerSecond);
                    System.out.printf("produce  avro serde: %,10.0f events/s  (ratio to raw %.2f)%n",
                            avro.producePerSecond, avro.producePerSecond / raw.producePerSecond);
                    System.out.printf("produce  avro serde, Apicurio's default datum provider: %,10.0f events/s  (ratio to raw %.2f)%n",
                            stock.producePerSecond, stock.producePerSecond / raw.producePerSecond);
                    System.out.printf("consume  raw bytes : %,10.0f events/s%n", raw.consumePerSecond);
                    System.out.printf("consume  avro serde: %,10.0f events/s  (ratio to raw %.2f)%n",
                            avro.consumePerSecond, avro.consumePerSecond / raw.consumePerSecond);
                    System.out.printf("consume  avro serde, Apicurio's default datum provider: %,10.0f events/s  (ratio to raw %.2f)%n",
                            stock.consumePerSecond, stock.consumePerSecond / raw.consumePerSecond);
                }
            }
        }
    }

    /** The same serde with Apicurio's stock datum provider (the baseline for our identity-caching one). */
    private static Serde<RunEvent> stockApicurioSerde(StackConnection c) {
        Map<String, Object> config = new java.util.HashMap<>(c.registry().serdeConfig());
        config.put(io.apicurio.registry.serde.avro.AvroSerdeConfig.AVRO_DATUM_PROVIDER,
                io.apicurio.registry.serde.avro.DefaultAvroDatumProvider.class.getName());
        io.apicurio.registry.serde.avro.AvroSerde<RunEvent> serde = new io.apicurio.registry.serde.avro.AvroSerde<>();
        serde.configure(config, false);
        return serde;
    }

    private record Result(double producePerSecond, double consumePerSecond) {
    }

    private static <V> Result run(StackConnection c, V[] values, Serializer<V> ser, Deserializer<V> de,
                                  Function<V, V> touch) throws Exception {
        String topic = Topics.RUN_EVENTS.name();
        String key = "bench-" + UUID.randomUUID();
        long t0 = System.nanoTime();
        long firstOffset = -1;
        int partition = -1;
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), ser)) {
            var first = producer.send(new ProducerRecord<>(topic, key, values[0])).get();
            firstOffset = first.offset();
            partition = first.partition();
            for (int i = 1; i < values.length; i++) {
                producer.send(new ProducerRecord<>(topic, key, values[i]));
            }
            producer.flush();
        }
        double produce = values.length / ((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        int read = 0;
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024),
                new StringDeserializer(), de)) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seek(tp, firstOffset);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (read < values.length && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key()) && touch.apply(r.value()) != null) {
                        read++;
                    }
                }
            }
        }
        if (read < values.length) {
            throw new IllegalStateException("read back only " + read + " of " + values.length);
        }
        double consume = values.length / ((System.nanoTime() - t1) / 1e9);
        return new Result(produce, consume);
    }

    private static List<RunEvent> events(int n) {
        List<RunEvent> out = new ArrayList<>(n);
        var source = RunEvents.source("bench", "stack");
        for (int i = 0; i < n; i++) {
            out.add(RunEvents.of("bench-run", 1, source, StepCompleted.newBuilder().setStep(i + 1).setEpoch(i / 50)
                    .setStepNanos(7_000_000L + i % 1000).setLoss(1.0 / (i + 1)).setCeLoss(0.9 / (i + 1))
                    .setPplLoss(0.05).setIpplLoss(0.05).setAccuracy(0.5).setSamples(32).setLr(0.002).build()));
        }
        return out;
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(Long::compare);
        return s.get(s.size() / 2);
    }
}
