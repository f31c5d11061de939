package io.trainledger.trainer;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.trainledger.commands.RunCommand;
import io.trainledger.schemas.GroupMembership;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterQueue;
import io.trainledger.schemas.dlq.DeadLetteringDecoder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The trainer's command loop: a plain Kafka consumer in group {@code trainledger-trainer} on
 * {@code trainledger.commands}. A run belongs to the instance assigned its partition; on assignment the same
 * partitions of the ledger are read from offset 0 and the unfinished runs resume; on revocation they stop before the
 * partition is handed over. Offsets are committed after each command is handled (at-least-once; redelivered
 * commands are idempotent: SubmitRun by command id, RestartRun by attempt).
 */
@ApplicationScoped
public class CommandConsumer {
    private static final Logger LOG = Logger.getLogger(CommandConsumer.class);
    /**
     * The context loader of every thread the trainer starts. Kafka (classes named in configs), DJL (engine providers
     * through ServiceLoader) and Apicurio load by name through it; under Quarkus tests the inherited one was sometimes
     * the system loader, which holds second copies of those libraries. In a packaged app it is the same loader.
     */
    static final ClassLoader APP_LOADER = CommandConsumer.class.getClassLoader();
    private final KafkaSettings settings;
    private final TrainerConfig config;
    private final CommandHandler handler;
    private final OwnedRuns runs;
    private final LedgerReader reader;
    private final CommandedPolicies policies;
    private final PlppEnvironments environments;
    private final TrainerMetrics metrics;
    private volatile boolean running;
    private volatile Instant lastPoll;
    private volatile String failure;
    private volatile List<Integer> assigned = List.of();
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private HeartbeatPublisher heartbeats;

    CommandConsumer(KafkaSettings settings, TrainerConfig config, CommandHandler handler, OwnedRuns runs,
                    LedgerReader reader, CommandedPolicies policies, PlppEnvironments environments,
                    TrainerMetrics metrics) {
        this.policies = policies;
        this.settings = settings;
        this.config = config;
        this.handler = handler;
        this.runs = runs;
        this.reader = reader;
        this.environments = environments;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ev) {
        if (config.backbone().warmUp()) {
            Thread warm = new Thread(environments::warmUp, "trainer-warm-up");
            warm.setDaemon(true);
            warm.setContextClassLoader(APP_LOADER);
            warm.start();
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(APP_LOADER);
        try {
            heartbeats = new HeartbeatPublisher(settings, runs, metrics, config.heartbeatInterval());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        running = true;
        thread = new Thread(this::loop, "trainer-commands");
        thread.setContextClassLoader(APP_LOADER);
        thread.start();
        LOG.infof("trainer %s started: group %s, data dir %s, chaos %s", settings.instance(), config.group(),
                config.dataDir().toAbsolutePath(), config.chaos().enabled() ? "ENABLED" : "off");
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            if (thread != null) {
                thread.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runs.stopAll();
        if (heartbeats != null) {
            heartbeats.close();
        }
    }

    /** When the loop last polled (readiness); null before the first poll. */
    public Instant lastPoll() {
        return lastPoll;
    }

    /** Why the loop died, if it did (liveness). */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public boolean running() {
        return running && thread != null && thread.isAlive();
    }

    public List<Integer> assigned() {
        return assigned;
    }

    private void loop() {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-commands-" + settings.instance());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.group());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                (int) Math.max(500, config.sessionTimeout().toMillis() / 4));
        // Static membership: a restarted instance with the same id takes its partitions back at once (no wait for
        // the dead member's session to expire), and an old process still running under that id is fenced by the
        // coordinator (FencedInstanceIdException), which stops its runs below.
        config.groupInstanceId().ifPresent(id -> props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        KafkaConsumer<byte[], byte[]> c = null;
        try (DeadLetterQueue dlq = new DeadLetterQueue(settings.bootstrapServers(), config.group(), Topics.DLQ.name(),
                settings.deadLetterConfig(config.group()))) {
            c = new KafkaConsumer<>(settings.consumerConfig(props), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            consumer = c;
            DeadLetteringDecoder<RunCommand> decoder = new DeadLetteringDecoder<>(
                    Topics.COMMANDS.valueSerde(settings.registry()).deserializer(), dlq);
            c.subscribe(List.of(Topics.COMMANDS.name()), new Ownership());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(250))) {
                    decoder.decode(r).ifPresent(cmd -> {
                        try {
                            handler.handle(r.partition(), cmd);
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "[run %s] command %s failed", cmd.getRunId(), cmd.getCommandId());
                        }
                    });
                    commit(c, r);
                }
                lastPoll = Instant.now();
            }
        } catch (WakeupException e) {
            // shutdown
        } catch (RuntimeException e) {
            failure = e.toString();
            LOG.error("command loop died; stopping every run (ownership is no longer known)", e);
            // Without the group membership this instance cannot know which runs are still its own; another
            // instance may already own them. Stop them all (liveness then reports DOWN and the supervisor restarts).
            runs.stopAll();
        } finally {
            consumer = null;
            if (c != null) {
                // Hands the partitions over now, static member or not (a crash never gets here and keeps the fast
                // static rejoin); the revocation listener stops their runs first, as in any rebalance.
                GroupMembership.closeLeavingGroup(c);
            }
        }
    }

    /**
     * Commits the offset after {@code r}. A rebalance that begins meanwhile makes the commit fail
     * (RebalanceInProgressException, or CommitFailedException once the generation moved on); that is not a reason to
     * give up the group: the record was handled, its offset stays uncommitted, and whoever owns the partition after the
     * rebalance (completed by the next poll, which also runs the revocation listener) gets it again, which commands
     * tolerate (idempotent by command id and attempt). A fenced static member is different and still ends the loop.
     */
    private static void commit(KafkaConsumer<byte[], byte[]> c, ConsumerRecord<byte[], byte[]> r) {
        try {
            c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()),
                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1)));
        } catch (org.apache.kafka.common.errors.RebalanceInProgressException
                 | org.apache.kafka.clients.consumer.CommitFailedException e) {
            LOG.infof("offset %d of %s-%d not committed (%s): redelivered to the partition's next owner if it moves",
                    r.offset(), r.topic(), r.partition(), e.getClass().getSimpleName());
        }
    }

    /** Ownership follows partition assignment: ledger partition p holds the runs of command partition p. */
    private final class Ownership implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            release(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            List<Integer> ps = partitions.stream().map(TopicPartition::partition).sorted().toList();
            long t0 = System.nanoTime();
            RunHistory history = reader.read(ps);
            var commanded = policies.read(ps);
            LOG.infof("assigned command partitions %s: %d run(s) on their ledger partitions, read in %d ms", ps,
                    history.runs().size(), (System.nanoTime() - t0) / 1_000_000);
            runs.adopt(history, commanded);
            assigned = union(assigned, ps);
        }

        private void release(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            List<Integer> ps = partitions.stream().map(TopicPartition::partition).toList();
            runs.release(ps);
            assigned = assigned.stream().filter(p -> !ps.contains(p)).toList();
        }
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).distinct().sorted().toList();
    }
}
