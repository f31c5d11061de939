package io.trainledger.cli;

import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topic;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Follows one run on the broker: its partition of the ledger ({@code trainledger.run-events}) and of the TOR reports
 * ({@code trainledger.tor}) from offset 0, with a plain consumer (no group, nothing committed, read_committed: the
 * aggregator writes reports in transactions). Records of other runs on the same partitions are skipped; a record
 * that does not decode is counted and skipped (the services dead-letter such records).
 */
public final class LedgerFollower implements AutoCloseable {
    private final byte[] key;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<RunEvent> events;
    private final Deserializer<TorReport> reports;
    private final TopicPartition ledgerPartition;
    private long undecodable;

    public LedgerFollower(StackConnection connection, String runId) {
        this.key = runId.getBytes(StandardCharsets.UTF_8);
        this.consumer = new KafkaConsumer<>(consumerConfig(connection), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.events = Topics.RUN_EVENTS.valueSerde(connection.registry()).deserializer();
        this.reports = Topics.TOR.valueSerde(connection.registry()).deserializer();
        this.ledgerPartition = partitionOf(Topics.RUN_EVENTS);
        TopicPartition torPartition = partitionOf(Topics.TOR);
        List<TopicPartition> both = List.of(ledgerPartition, torPartition);
        consumer.assign(both);
        consumer.seekToBeginning(both);
    }

    /**
     * The follower's consumer: the connection's client settings (SASL, TLS) under its own, which they cannot change
     * (committed records only, no group, nothing committed).
     */
    static Map<String, Object> consumerConfig(StackConnection connection) {
        Map<String, Object> own = new HashMap<>();
        own.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
        own.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        own.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        own.put(ConsumerConfig.CLIENT_ID_CONFIG, "trainledger-watch-" + UUID.randomUUID());
        Map<String, Object> config = connection.kafkaClient().under(own);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return config;
    }

    private TopicPartition partitionOf(Topic<?, ?> topic) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(30));
        if (partitions == null || partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic.name() + " does not exist on the broker (was the stack provisioned?)");
        }
        // The producers' default partitioner: murmur2 of the key bytes (everything is keyed by run id).
        return new TopicPartition(topic.name(), Utils.toPositive(Utils.murmur2(key)) % partitions.size());
    }

    /** One poll: applies what arrived for the run to {@code view}; returns how many of its records arrived. */
    public int poll(RunView view, Duration timeout) {
        return poll(view::apply, view::apply, timeout);
    }

    /** One poll: hands each of the run's decoded events and reports on; returns how many of its records arrived. */
    public int poll(Consumer<RunEvent> onEvent, Consumer<TorReport> onReport, Duration timeout) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            if (r.key() == null || !Arrays.equals(r.key(), key) || r.value() == null) {
                continue;
            }
            n++;
            try {
                if (r.topic().equals(Topics.RUN_EVENTS.name())) {
                    RunEvent e = events.deserialize(r.topic(), r.value());
                    if (e != null) {
                        onEvent.accept(e);
                    }
                } else {
                    TorReport t = reports.deserialize(r.topic(), r.value());
                    if (t != null) {
                        onReport.accept(t);
                    }
                }
            } catch (RuntimeException e) {
                undecodable++;
            }
        }
        return n;
    }

    /** The run's ledger events from offset 0 up to the end seen now, in log order. */
    public static List<RunEvent> readLedger(StackConnection connection, String runId, Duration timeout) {
        List<RunEvent> ledger = new ArrayList<>();
        try (LedgerFollower f = new LedgerFollower(connection, runId)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!f.caughtUp()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading the ledger of " + runId);
                }
                f.poll(ledger::add, r -> { }, Duration.ofMillis(200));
            }
        }
        return ledger;
    }

    /** Whether the ledger partition has been read up to its current end. */
    public boolean caughtUp() {
        long end = consumer.endOffsets(List.of(ledgerPartition), Duration.ofSeconds(10)).get(ledgerPartition);
        return consumer.position(ledgerPartition, Duration.ofSeconds(10)) >= end;
    }

    public long undecodable() {
        return undecodable;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        events.close();
        reports.close();
    }
}
