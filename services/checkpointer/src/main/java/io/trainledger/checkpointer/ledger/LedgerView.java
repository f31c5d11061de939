package io.trainledger.checkpointer.ledger;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.jboss.logging.Logger;

/**
 * Reads the whole ledger and the commands topic from offset 0, without a consumer group, and folds them into the
 * {@link CheckpointIndex}: how the checkpointer rebuilds what it knows at every start, and keeps it current for the
 * REST API, retention and the adaptive interval. Records it cannot decode are skipped here (the snapshot processor's
 * consumer group is the one that dead-letters them, once).
 */
public final class LedgerView implements Runnable, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LedgerView.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Deserializer<RunEvent> events;
    private final Deserializer<RunCommand> commands;
    private final CheckpointIndex index;
    private final BiConsumer<RunCheckpoints, RunEvent> onLiveEvent;
    private final Duration pollTimeout;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> startEnds = new HashMap<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Object progress = new Object();
    private volatile boolean running = true;
    private volatile boolean failed;

    /**
     * @param onLiveEvent called for each ledger event appended after this view started (not for the history it
     *                    replays), on the view's thread
     */
    public LedgerView(String bootstrapServers, RegistrySettings registry, OperatorKafkaSettings kafka,
                      String clientId, CheckpointIndex index, Duration pollTimeout,
                      BiConsumer<RunCheckpoints, RunEvent> onLiveEvent) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(kafka.consumer(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        this.events = Topics.RUN_EVENTS.valueSerde(registry).deserializer();
        this.commands = Topics.COMMANDS.valueSerde(registry).deserializer();
        this.index = index;
        this.pollTimeout = pollTimeout;
        this.onLiveEvent = onLiveEvent;
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.RUN_EVENTS.name(), Topics.COMMANDS.name())) {
                for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(60))) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            startEnds.putAll(consumer.endOffsets(partitions));
            for (TopicPartition tp : partitions) {
                positions.put(tp, consumer.position(tp));
            }
            checkCaughtUp();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    fold(record);
                }
                for (TopicPartition tp : caughtUp() ? records.partitions() : partitions) {
                    positions.put(tp, consumer.position(tp));
                }
                if (!records.isEmpty()) {
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
                checkCaughtUp();
            }
        } catch (WakeupException e) {
            if (running) {
                failed = true;
                LOG.error("ledger view woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("ledger view stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void fold(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(Topics.RUN_EVENTS.name())) {
                RunEvent event = events.deserialize(record.topic(), record.headers(), record.value());
                RunCheckpoints run = index.fold(event, record.partition());
                Long liveFrom = startEnds.get(new TopicPartition(record.topic(), record.partition()));
                if (liveFrom != null && record.offset() >= liveFrom) {
                    try {
                        onLiveEvent.accept(run, event);
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "run %s: reacting to %s failed", event.getRunId(),
                                event.getPayload().getClass().getSimpleName());
                    }
                }
            } else {
                index.fold(commands.deserialize(record.topic(), record.headers(), record.value()));
            }
        } catch (RuntimeException e) {
            LOG.debugf("skipping undecodable %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e);
        }
    }

    private void checkCaughtUp() {
        if (caughtUp.getCount() == 0) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> end : startEnds.entrySet()) {
            if (positions.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return;
            }
        }
        LOG.infof("ledger view caught up: %s", startEnds);
        caughtUp.countDown();
    }

    /** Whether the history that existed at start has been folded. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    /** Whether the view's thread died. */
    public boolean failed() {
        return failed;
    }

    /** Waits until the history that existed at start has been folded. */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until every given partition has been folded up to (excluding) the given offset. */
    public boolean awaitPositions(Map<TopicPartition, Long> offsets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (true) {
                boolean all = offsets.entrySet().stream()
                        .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
                long left = deadline - System.nanoTime();
                if (all) {
                    return true;
                }
                if (left <= 0 || failed || !running) {
                    return false;
                }
                progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
