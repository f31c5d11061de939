package io.trainledger.tor.aggregator.replay;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.audit.TorAudit;
import io.trainledger.tor.aggregator.topology.EmitMark;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import io.trainledger.tor.aggregator.topology.TorTopology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code replay}: rebuilds every run's TOR report from offset 0 of {@code trainledger.run-events} with the
 * production topology ({@link TorTopology#build}, exactly_once_v2; in-memory stores without changelogs, since nothing
 * of the replay has to survive) under a fresh application id and a temporary state directory, then compares each run's replayed latest report with the live latest report on
 * {@code trainledger.tor}, field by field, exactly.
 *
 * <p>The replay never writes to {@code trainledger.tor} or {@code trainledger.dlq}: its reports go to
 * {@code <applicationId>-tor} and are collected as they are emitted; undecodable ledger records are skipped (the
 * live aggregator dead-lettered them already). Its output topic, internal topics, consumer group and state
 * directory are deleted at the end. Framework-free (no CDI): the CLI calls it directly.
 *
 * <pre>{@code
 * LedgerReplay.Outcome o = new LedgerReplay(bootstrap, RegistrySettings.of(registryUrl)).replay(Duration.ofMinutes(2));
 * if (!o.identical()) o.differences().forEach(System.out::println);
 * }</pre>
 */
public final class LedgerReplay {
    private final String bootstrapServers;
    private final KafkaClientProperties client;
    private final RegistrySettings registry;
    private final TopologySettings settings;

    /** A replay with the aggregator's default emission settings (PLAINTEXT cluster). */
    public LedgerReplay(String bootstrapServers, RegistrySettings registry) {
        this(bootstrapServers, KafkaClientProperties.none(), registry, TopologySettings.defaults());
    }

    /** A replay with the given settings (use the live aggregator's, so that its emission schedule is the same). */
    public LedgerReplay(String bootstrapServers, RegistrySettings registry, TopologySettings settings) {
        this(bootstrapServers, KafkaClientProperties.none(), registry, settings);
    }

    /**
     * A replay on a secured cluster: {@code client} (SASL, TLS...) reaches its admin client, its Kafka Streams
     * application and its readers, under their own settings.
     */
    public LedgerReplay(String bootstrapServers, KafkaClientProperties client, RegistrySettings registry,
                        TopologySettings settings) {
        this.bootstrapServers = bootstrapServers;
        this.client = client;
        this.registry = registry;
        this.settings = settings;
    }

    /** One run whose replayed and live reports are not the same. */
    public record RunDifference(String runId, Kind kind, List<TorAudit.Difference> fields) {
        /** How the two reports disagree. */
        public enum Kind {
            /** Both exist, same ledger prefix, some field differs: a bug. */
            FIELDS,
            /** The run has a replayed report but none on trainledger.tor. */
            MISSING_LIVE,
            /** The run has a live report but the replay produced none. */
            MISSING_REPLAYED,
            /** The live report folds fewer events than the ledger holds (the live aggregator is behind). */
            LIVE_BEHIND,
            /** The live report folds more events than the replay saw: the ledger grew during the replay. */
            LIVE_AHEAD
        }

        @Override
        public String toString() {
            return runId + ": " + kind + (fields.isEmpty() ? "" : " " + fields);
        }
    }

    /**
     * What the replay found.
     *
     * @param applicationId the fresh application id the replay ran under
     * @param ledgerRecords records (with transaction markers) of the ledger up to the end offsets taken at the start
     * @param skippedRecords ledger records the replay could not deserialize and skipped
     * @param replayed      the replayed latest report per run
     * @param live          the latest report per run on trainledger.tor
     * @param differences   runs that are not identical, in run id order
     * @param elapsed       wall time of the whole replay, cleanup included
     */
    public record Outcome(String applicationId, long ledgerRecords, long skippedRecords, Map<String, TorReport> replayed,
                          Map<String, TorReport> live, List<RunDifference> differences, Duration elapsed) {
        /** True when every run's replayed report equals its live report exactly (and no run is missing). */
        public boolean identical() {
            return differences.isEmpty();
        }
    }

    /**
     * Replays the whole ledger (up to its end offsets at the start) and compares.
     *
     * @param timeout bound on the replay's catching up
     * @throws TimeoutException if the replay did not catch up within {@code timeout}
     */
    public Outcome replay(Duration timeout) throws TimeoutException, InterruptedException {
        long start = System.nanoTime();
        String applicationId = "trainledger-replay-" + UUID.randomUUID().toString().substring(0, 8);
        String reportTopic = applicationId + "-tor";
        Path stateDir = createStateDir(applicationId);
        Map<String, TorReport> replayed = new ConcurrentHashMap<>();
        try (Admin admin = Admin.create(client.under(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            Map<TopicPartition, Long> ends = LiveReports.endOffsets(bootstrapServers, client, Topics.RUN_EVENTS.name(),
                    timeout);
            long ledgerRecords = ends.values().stream().mapToLong(Long::longValue).sum();
            createReportTopic(admin, reportTopic, ends.size());
            long skipped;
            // One stream thread per partition, up to the cores: the replay is a batch job and its tasks (one per
            // partition, each run in one) are independent. Measured on 2 cores and 3 partitions: 8.5 s with 3
            // threads, 8.8 s with 2, 9.6 s with 1 (fresh JVMs, three each; docs/benchmarks/aggregator.md).
            int threads = Math.max(1, Math.min(ends.size(), Runtime.getRuntime().availableProcessors()));
            try (KafkaStreams streams = start(applicationId, reportTopic, stateDir, threads, replayed)) {
                awaitCaughtUp(streams, admin, applicationId, ends, System.nanoTime() + timeout.toNanos());
                skipped = droppedRecords(streams);
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
            } finally {
                deleteReplayArtifacts(admin, applicationId);
            }
            Map<String, TorReport> live = LiveReports.latest(bootstrapServers, client, registry, timeout);
            List<RunDifference> differences = compare(new TreeMap<>(replayed), live);
            return new Outcome(applicationId, ledgerRecords, skipped, Map.copyOf(replayed), live, differences,
                    Duration.ofNanos(System.nanoTime() - start));
        } finally {
            deleteRecursively(stateDir);
        }
    }

    private KafkaStreams start(String applicationId, String reportTopic, Path stateDir, int threads,
                               Map<String, TorReport> replayed) {
        Serde<RunEvent> ledgerSerde = Topics.RUN_EVENTS.valueSerde(registry);
        Serde<TorReport> reportSerde = Topics.TOR.valueSerde(registry);
        StreamsBuilder builder = new StreamsBuilder();
        // Reports of one run are emitted by one task in fold order: the last one seen is the run's latest.
        // The same fold, throttle and reports, with in-memory stores and no changelogs: the replay's state is thrown
        // away at the end, so writing it to the broker would only slow the replay down.
        TorTopology.build(builder, ledgerSerde, reportSerde, settings,
                (report, ledgerTimestampMs) -> replayed.put(report.getRunId(), report), reportTopic,
                TorTopology.StateKind.EPHEMERAL);
        KafkaStreams streams = new KafkaStreams(builder.build(), streamsConfig(applicationId, stateDir, threads));
        streams.start();
        return streams;
    }

    /**
     * The replay's Streams configuration: the client settings (SASL, TLS: Streams hands unprefixed client keys to
     * all its clients) under the replay's own, which they cannot change (exactly-once, its application id, its
     * state directory, skipping undecodable records).
     */
    Properties streamsConfig(String applicationId, Path stateDir, int threads) {
        Map<String, Object> p = new HashMap<>();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Throughput, not latency: one transaction per second instead of ten (the service commits every 100 ms so
        // that reports are visible soon).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        // The live aggregator dead-lettered undecodable records already: the replay skips them (counted).
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 5000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10000);
        return client.underProperties(p);
    }

    /**
     * Caught up: the group's committed offsets reached the end offsets taken at the start on every partition, and no
     * run has a report held back by the throttle (the wall-clock flush emitted them all).
     */
    private void awaitCaughtUp(KafkaStreams streams, Admin admin, String applicationId, Map<TopicPartition, Long> ends,
                               long deadlineNanos) throws TimeoutException, InterruptedException {
        while (true) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("the replay's Kafka Streams stopped: " + state);
            }
            if (state == KafkaStreams.State.RUNNING && committedUpTo(admin, applicationId, ends) && nonePending(streams)) {
                return;
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new TimeoutException("replay " + applicationId + " did not catch up with the ledger in time");
            }
            Thread.sleep(100);
        }
    }

    private static boolean committedUpTo(Admin admin, String groupId, Map<TopicPartition, Long> ends)
            throws InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (end.getValue() == 0) {
                continue;
            }
            OffsetAndMetadata c = committed.get(end.getKey());
            if (c == null || c.offset() < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static boolean nonePending(KafkaStreams streams) {
        try {
            ReadOnlyKeyValueStore<String, EmitMark> marks = streams.store(StoreQueryParameters
                    .fromNameAndType(TorTopology.EMIT_STORE, QueryableStoreTypes.<String, EmitMark>keyValueStore()));
            try (KeyValueIterator<String, EmitMark> it = marks.all()) {
                while (it.hasNext()) {
                    if (it.next().value.pending()) {
                        return false;
                    }
                }
            }
            return true;
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
            return false; // rebalancing or restoring: ask again
        }
    }

    private static long droppedRecords(KafkaStreams streams) {
        double dropped = 0;
        for (var m : streams.metrics().entrySet()) {
            if (m.getKey().name().equals("dropped-records-total") && m.getKey().tags().containsKey("task-id")
                    && m.getValue().metricValue() instanceof Double d) {
                dropped += d;
            }
        }
        return (long) dropped;
    }

    private static void createReportTopic(Admin admin, String topic, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) -1))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create the replay's report topic " + topic, e);
        }
    }

    /** Deletes the replay's consumer group, report topic and internal (changelog) topics: all named for it. */
    private static void deleteReplayArtifacts(Admin admin, String applicationId) {
        try {
            admin.deleteConsumerGroups(List.of(applicationId)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The group may not exist (the replay failed before joining); the topics still go.
        }
        try {
            Set<String> mine = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(applicationId + "-")).collect(Collectors.toSet());
            if (!mine.isEmpty()) {
                admin.deleteTopics(mine).all().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not delete the replay's topics (" + applicationId + "-*)", e);
        }
    }

    static List<RunDifference> compare(Map<String, TorReport> replayed, Map<String, TorReport> live) {
        List<RunDifference> out = new ArrayList<>();
        TreeMap<String, Boolean> runs = new TreeMap<>();
        replayed.keySet().forEach(r -> runs.put(r, true));
        live.keySet().forEach(r -> runs.put(r, true));
        for (String runId : runs.keySet()) {
            TorReport r = replayed.get(runId);
            TorReport l = live.get(runId);
            if (l == null) {
                out.add(new RunDifference(runId, RunDifference.Kind.MISSING_LIVE, List.of()));
            } else if (r == null) {
                out.add(new RunDifference(runId, RunDifference.Kind.MISSING_REPLAYED, List.of()));
            } else if (l.getEventsFolded() < r.getEventsFolded()) {
                out.add(new RunDifference(runId, RunDifference.Kind.LIVE_BEHIND, List.of()));
            } else if (l.getEventsFolded() > r.getEventsFolded()) {
                out.add(new RunDifference(runId, RunDifference.Kind.LIVE_AHEAD, List.of()));
            } else {
                var fields = TorAudit.compare(r, l);
                if (!fields.isEmpty()) {
                    out.add(new RunDifference(runId, RunDifference.Kind.FIELDS, fields));
                }
            }
        }
        return out;
    }

    private static Path createStateDir(String applicationId) {
        try {
            return Files.createTempDirectory(applicationId + "-state");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the replay's state directory", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temporary directory
        }
    }
}
