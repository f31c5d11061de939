package io.trainledger.monitor;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.core.detection.DetectionScore;
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
 * {@code DetectionScoreMain <bootstrap-servers> <registry-v3-url> [run-id-prefix]}. Exit code 2 on bad arguments.
 * Undecodable records are skipped here (the services dead-letter them).
 */
public final class DetectionScoreMain {
    private DetectionScoreMain() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: DetectionScoreMain <bootstrap-servers> <registry-v3-url> [run-id-prefix]");
            System.exit(2);
        }
        String prefix = args.length == 3 ? args[2] : "";
        List<RunEvent> ledger = readLedger(args[0], RegistrySettings.of(args[1]), prefix);
        System.out.print(DetectionScore.defaults().score(ledger).format());
    }

    /** Every committed ledger event whose run id starts with {@code prefix}, up to the end offsets at the call. */
    public static List<RunEvent> readLedger(String bootstrap, RegistrySettings registry, String prefix) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
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
}
