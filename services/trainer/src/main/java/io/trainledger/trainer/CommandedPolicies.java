package io.trainledger.trainer;

import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.schemas.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The checkpoint policy last commanded for each run ({@code SetCheckpointPolicy} on {@code trainledger.commands}),
 * read from offset 0 of the assigned command partitions. A trainer that takes over a run (restart, rebalance) thus
 * keeps the interval the checkpointer's adaptive controller chose instead of going back to the submitted one. The
 * checkpointer rebuilds its policies the same way. Invalid policies are skipped, as the command loop refuses them.
 * Bounded by the retention of the commands topic (days): an older run falls back to its submitted policy.
 */
@ApplicationScoped
public class CommandedPolicies {
    private static final Logger LOG = Logger.getLogger(CommandedPolicies.class);
    private final KafkaSettings settings;

    CommandedPolicies(KafkaSettings settings) {
        this.settings = settings;
    }

    /** The latest valid commanded policy per run id on these command partitions. */
    public Map<String, CheckpointPolicy> read(Collection<Integer> partitions) {
        Map<String, CheckpointPolicy> latest = new HashMap<>();
        if (partitions.isEmpty()) {
            return latest;
        }
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-policy-reader-" + settings.instance());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        Deserializer<RunCommand> values = Topics.COMMANDS.valueSerde(settings.registry()).deserializer();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(settings.consumerConfig(props), new StringDeserializer(),
                             new ByteArrayDeserializer())) {
            List<TopicPartition> tps = partitions.stream()
                    .map(p -> new TopicPartition(Topics.COMMANDS.name(), p)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null || r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    RunCommand command;
                    try {
                        command = values.deserialize(r.topic(), r.headers(), r.value());
                    } catch (RuntimeException e) {
                        continue; // dead-lettered by the command loop when it met it
                    }
                    apply(latest, command);
                }
            }
        } finally {
            values.close();
        }
        if (!latest.isEmpty()) {
            LOG.debugf("commanded checkpoint policies on partitions %s: %s", partitions, latest.keySet());
        }
        return latest;
    }

    /** Folds one command into the latest policy per run (pure; also what the tests check). */
    static void apply(Map<String, CheckpointPolicy> latest, RunCommand command) {
        if (command != null && command.getPayload() instanceof SetCheckpointPolicy p
                && SubmitValidator.validate(p.getPolicy()).isEmpty()) {
            latest.put(command.getRunId(), p.getPolicy());
        }
    }
}
