package io.trainledger.checkpointer;

import io.trainledger.checkpointer.ledger.LedgerView;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.GroupMembership;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterQueue;
import io.trainledger.schemas.dlq.DeadLetteringDecoder;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The consumer-group loop (group {@code trainledger-checkpointer}) over the ledger: decodes each record through the
 * {@link DeadLetteringDecoder} (undecodable records go to {@code trainledger.dlq}), hands every
 * CheckpointSnapshotted to the {@link CheckpointCommitter}, and commits a partition's offset only past records whose
 * result event the broker has acknowledged. A transient failure rewinds the partition to the failed record and
 * retries it after a back-off; nothing is skipped.
 */
public final class SnapshotProcessor implements Runnable, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotProcessor.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetteringDecoder<RunEvent> decoder;
    private final DeadLetterQueue dlq;
    private final CheckpointCommitter committer;
    private final LedgerView view;
    private final Duration pollTimeout;
    private final Duration retryBackoff;
    private final Duration catchUpTimeout;
    private final Membership membership;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile boolean polling;
    private volatile boolean failed;

    /** How the processor joins its consumer group. */
    public record Membership(String groupId, Optional<String> groupInstanceId, Duration sessionTimeout) {
    }

    public SnapshotProcessor(String bootstrapServers, RegistrySettings registry, OperatorKafkaSettings kafka,
                             Membership membership,
                             String clientId, CheckpointCommitter committer, LedgerView view, Duration pollTimeout,
                             Duration retryBackoff, Duration catchUpTimeout) {
        String groupId = membership.groupId();
        this.membership = membership;
        this.consumer = new KafkaConsumer<>(consumerConfig(bootstrapServers, membership, clientId, kafka),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.dlq = new DeadLetterQueue(bootstrapServers, groupId, Topics.DLQ.name(),
                kafka.producer(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "dlq-" + clientId)));
        this.decoder = new DeadLetteringDecoder<>(Topics.RUN_EVENTS.valueSerde(registry).deserializer(), dlq);
        this.committer = committer;
        this.view = view;
        this.pollTimeout = pollTimeout;
        this.retryBackoff = retryBackoff;
        this.catchUpTimeout = catchUpTimeout;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(Topics.RUN_EVENTS.name()), new Rebalance());
            while (running) {
                polling = true;
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                for (TopicPartition tp : records.partitions()) {
                    process(tp, records.records(tp));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failed = true;
                LOG.error("snapshot processor woken up unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("snapshot processor stopped", e);
        } finally {
            polling = false;
            GroupMembership.closeLeavingGroup(consumer); // a static member too: see there
            dlq.close();
        }
    }

    /**
     * The group consumer's settings: manual commits, read_committed, and the membership (static or dynamic); the
     * operator's consumer settings (security, ...) under these.
     */
    static Map<String, Object> consumerConfig(String bootstrapServers, Membership membership, String clientId,
                                              OperatorKafkaSettings kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, membership.groupId());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        int sessionMs = (int) membership.sessionTimeout().toMillis();
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionMs);
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(500, Math.min(3000, sessionMs / 4)));
        // Static membership: a restarted checkpointer with the same id gets its partitions back at once (no wait
        // for the dead member's session to expire); GroupMembership.closeLeavingGroup still leaves on a clean stop.
        membership.groupInstanceId().ifPresent(id -> config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        return kafka.consumer(config);
    }

    private void process(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) throws InterruptedException {
        long next = -1;
        ConsumerRecord<byte[], byte[]> current = null;
        try {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                current = record;
                Optional<RunEvent> event = decoder.decode(record);
                if (event.isPresent() && event.get().getPayload() instanceof CheckpointSnapshotted) {
                    handle(record, event.get());
                }
                next = record.offset() + 1;
            }
        } catch (java.io.IOException | org.apache.kafka.common.KafkaException e) {
            // Store or broker trouble: retry the same record, never skip it.
            LOG.warnf(e, "transient failure at %s@%d; retrying in %d ms", tp, current.offset(),
                    retryBackoff.toMillis());
            commit(tp, next);
            consumer.seek(tp, current.offset());
            Thread.sleep(retryBackoff.toMillis());
            return;
        }
        commit(tp, next);
    }

    private void handle(ConsumerRecord<byte[], byte[]> record, RunEvent event) throws java.io.IOException {
        try {
            committer.handle(event);
        } catch (java.io.IOException | org.apache.kafka.common.KafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            // A record that decodes but cannot be processed (a bug or an impossible value) would block the partition
            // forever: dead-letter it with its reason, as EVENTS.md section 6 allows.
            LOG.errorf(e, "run %s: cannot process snapshot at %s-%d@%d, dead-lettering it", event.getRunId(),
                    record.topic(), record.partition(), record.offset());
            dlq.send(record, DeadLetterQueue.reasonOf("cannot process CheckpointSnapshotted", e), e);
        }
    }

    private void commit(TopicPartition tp, long next) {
        if (next >= 0) {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(next)));
        }
    }

    /** Ledger partitions this instance currently owns (the adaptive interval acts only for runs in them). */
    public boolean owns(int partition) {
        return owned.contains(partition);
    }

    /** Records dead-lettered so far. */
    public long deadLettered() {
        return decoder.deadLettered();
    }

    /** The group membership this processor joined with. */
    public Membership membership() {
        return membership;
    }

    public boolean healthy() {
        return !failed;
    }

    /** Polling, with at least one ledger partition assigned (after the view caught up with it). */
    public boolean started() {
        return polling && !owned.isEmpty();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Dedupe rests on the view: it must have folded every result written before we took these partitions.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            try {
                if (!view.awaitPositions(ends, catchUpTimeout)) {
                    LOG.warnf("ledger view not caught up with %s after %s; the store still prevents double writes",
                            ends, catchUpTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            partitions.forEach(tp -> owned.add(tp.partition()));
            LOG.infof("processing ledger partitions %s", partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> owned.remove(tp.partition()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
