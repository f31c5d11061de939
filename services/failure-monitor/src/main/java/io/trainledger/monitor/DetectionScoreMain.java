package io.trainledger.monitor;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.core.detection.DetectionScore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the whole ledger (committed records, offset 0 to the current end) and prints the detection score computed by
 * tor-core's {@link DetectionScore} (the pure matching, which the CLI's {@code trainledger score} uses directly):
 * {@code DetectionScoreMain [--kafka-config FILE] <bootstrap-servers> <registry-v3-url> [run-id-prefix]}. Exit code 2
 * on bad arguments (a missing or unreadable {@code --kafka-config} file included). The optional file holds Kafka
 * client properties for a secured cluster ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}: the format of
 * Kafka's own tools' {@code --command-config}) and, optionally, the registry client settings
 * ({@code apicurio.registry.auth.*}, {@code apicurio.registry.tls.*}). Undecodable records are skipped here (the
 * services dead-letter them).
 */
public final class DetectionScoreMain {
    private DetectionScoreMain() {
    }

    private static final String USAGE =
            "usage: DetectionScoreMain [--kafka-config FILE] <bootstrap-servers> <registry-v3-url> [run-id-prefix]";

    public static void main(String[] args) {
        KafkaClientProperties client = KafkaClientProperties.none();
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("--kafka-config")) {
            if (rest.size() < 2) {
                usage("--kafka-config needs a file");
            }
            Path file = Path.of(rest.get(1));
            try {
                client = KafkaClientProperties.load(file);
            } catch (IOException e) {
                usage("cannot read the --kafka-config file " + file + ": " + e);
            }
            rest = rest.subList(2, rest.size());
        }
        if (rest.size() < 2 || rest.size() > 3) {
            usage(null);
        }
        String prefix = rest.size() == 3 ? rest.get(2) : "";
        RegistrySettings registry;
        try {
            registry = RegistrySettings.of(rest.get(1)).withClientSettings(client.asMap());
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }
        List<RunEvent> ledger = readLedger(rest.get(0), client, registry, prefix);
        System.out.print(DetectionScore.defaults().score(ledger).format());
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println(USAGE);
        System.exit(2);
    }

    /** As below, on a PLAINTEXT cluster. */
    public static List<RunEvent> readLedger(String bootstrap, RegistrySettings registry, String prefix) {
        return readLedger(bootstrap, KafkaClientProperties.none(), registry, prefix);
    }

    /**
     * Every committed ledger event whose run id starts with {@code prefix}, up to the end offsets at the call.
     *
     * @param client connection settings of a secured cluster (SASL, TLS); TrainLedger's consumer keys win over them
     */
    public static List<RunEvent> readLedger(String bootstrap, KafkaClientProperties client, RegistrySettings registry,
                                            String prefix) {
        Properties props = client.underProperties(consumerSettings(bootstrap));
        Deserializer<RunEvent> values = Topics.RUN_EVENTS.valueSerde(registry).deserializer();
        List<RunEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RUN_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || !r.key().startsWith(prefix) || r.value() == null) {
                        continue;
                    }
                    try {
                        events.add(values.deserialize(r.topic(), r.headers(), r.value()));
                    } catch (RuntimeException e) {
                        System.err.printf("skipping undecodable record %s-%d@%d: %s%n", r.topic(), r.partition(),
                                r.offset(), e);
                    }
                }
            }
        }
        return events;
    }

    /** The reader's own settings: committed records only, nothing committed. */
    static Map<String, Object> consumerSettings(String bootstrap) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    }
}
