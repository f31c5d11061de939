package io.trainledger.trainer;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads ledger partitions from offset 0 to their current end and folds them into a {@link RunHistory}: how a trainer
 * learns the state of the runs it owns. No consumer group: plain assignment, nothing committed. An undecodable
 * record is skipped with a warning (it was dead-lettered by whichever consumer met it first).
 */
@ApplicationScoped
public class LedgerReader {
    private static final Logger LOG = Logger.getLogger(LedgerReader.class);
    private final KafkaSettings settings;

    LedgerReader(KafkaSettings settings) {
        this.settings = settings;
    }

    /** The history of every run on these ledger partitions. */
    public RunHistory read(Collection<Integer> partitions) {
        RunHistory history = new RunHistory();
        if (partitions.isEmpty()) {
            return history;
        }
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-ledger-reader-" + settings.instance());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        Deserializer<RunEvent> values = Topics.RUN_EVENTS.valueSerde(settings.registry()).deserializer();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(settings.consumerConfig(props), new StringDeserializer(),
                             new ByteArrayDeserializer())) {
            List<TopicPartition> tps = partitions.stream()
                    .map(p -> new TopicPartition(Topics.RUN_EVENTS.name(), p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            long records = 0;
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    decode(values, r).ifPresent(e -> history.apply(r.partition(), e));
                    records++;
                }
            }
            LOG.debugf("read %d ledger records of partitions %s", records, partitions);
        } finally {
            values.close();
        }
        return history;
    }

    /** The state of one run, read from its ledger partition. */
    public Optional<RunState> readRun(String runId, int partition) {
        return read(List.of(partition)).run(runId);
    }

    private static Optional<RunEvent> decode(Deserializer<RunEvent> values, ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(values.deserialize(r.topic(), r.headers(), r.value()));
        } catch (RuntimeException e) {
            LOG.warnf("skipping undecodable ledger record %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e);
            return Optional.empty();
        }
    }
}
