package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The tor-aggregator's topology, built by one static method so that the service ({@code TopologyProducer}) and the
 * {@code TopologyTestDriver} tests run exactly the same code.
 *
 * <pre>
 * trainledger.run-events --(runId, RunEvent)--> TorFoldProcessor --(runId, TorReport)--> trainledger.tor
 *                                                 | tor-ledgers          (TorLedger bytes per run, written once per commit)
 *                                                 | tor-emits            (throttle marks per run)
 *                                                 | run-timeline-records (bounded timeline per run, as records)
 * </pre>
 *
 * The ledger is already keyed and partitioned by run id, so the fold needs no repartition: every event of a run
 * reaches the same task, in log order.
 */
public final class TorTopology {
    /** Fold state per run: {@code TorLedger}. Queryable. */
    public static final String LEDGER_STORE = "tor-ledgers";
    /** Throttle state per run: {@link EmitMark}. */
    public static final String EMIT_STORE = "tor-emits";
    /**
     * Bounded timeline per run as small records ({@link TimelineStore}; read with {@link TimelineStore#read}).
     * Queryable. (Named apart from the earlier one-record-per-run "run-timelines" store, whose changelog holds another
     * format.)
     */
    public static final String TIMELINE_STORE = "run-timeline-records";
    /**
     * No data: tells the fold that its task is about to commit, so that it writes the ledgers it changed since the
     * last commit ({@link CommitHookStore}).
     */
    public static final String COMMIT_HOOK_STORE = "tor-ledgers-commit-hook";
    /** Name of the processor node (stable, so that internal topic names never change). */
    public static final String FOLD_NODE = "tor-fold";

    private TorTopology() {
    }

    /**
     * Adds the topology to {@code builder}.
     *
     * @param ledgerSerde value serde of {@code trainledger.run-events}
     * @param reportSerde value serde of {@code trainledger.tor}
     * @param settings    throttle and timeline bounds
     * @param sink        told about every report forwarded (metrics, SSE); {@link ReportSink#NONE} for none
     */
    public static void build(StreamsBuilder builder, Serde<RunEvent> ledgerSerde, Serde<TorReport> reportSerde,
                             TopologySettings settings, ReportSink sink) {
        build(builder, ledgerSerde, reportSerde, settings, sink, Topics.TOR.name());
    }

    /** Where the topology keeps its stores. */
    public enum StateKind {
        /** RocksDB, changelogged and cached: the service (state survives restarts and moves between instances). */
        DURABLE,
        /**
         * In memory, without changelogs, cached: a throw-away application that folds the ledger once and is deleted
         * (the replay). The fold, the throttle and the reports are the same code; nothing has to survive.
         */
        EPHEMERAL
    }

    /**
     * The same topology with reports written to {@code reportTopic} instead of {@code trainledger.tor}: the replay
     * ({@code LedgerReplay}) runs the production fold without touching the live report topic.
     */
    public static void build(StreamsBuilder builder, Serde<RunEvent> ledgerSerde, Serde<TorReport> reportSerde,
                             TopologySettings settings, ReportSink sink, String reportTopic) {
        build(builder, ledgerSerde, reportSerde, settings, sink, reportTopic, StateKind.DURABLE);
    }

    /** The same topology with its stores of the given kind. */
    public static void build(StreamsBuilder builder, Serde<RunEvent> ledgerSerde, Serde<TorReport> reportSerde,
                             TopologySettings settings, ReportSink sink, String reportTopic, StateKind state) {
        // A busy run changes its ledger with every step. The fold keeps changed ledgers decoded in memory and writes
        // each once per commit, from the commit hook (so the ledger store has no cache of its own: the write goes
        // straight to RocksDB and the changelog, inside the transaction). The other stores are cached: a run's
        // value is written to RocksDB and its changelog once per commit, not once per event. Under exactly_once_v2
        // both happen before the transaction commits, so the changelogs match the committed input offsets.
        builder.addStateStore(store(state, LEDGER_STORE, TorLedgerSerde.create()).withCachingDisabled());
        builder.addStateStore(store(state, EMIT_STORE, EmitMark.serde()));
        builder.addStateStore(store(state, TIMELINE_STORE, Serdes.ByteArray()));
        builder.addStateStore(CommitHookStore.builder(COMMIT_HOOK_STORE));

        builder.stream(Topics.RUN_EVENTS.name(), Consumed.with(Topics.RUN_EVENTS.keySerde(), ledgerSerde)
                        .withName("ledger-source"))
                .process(() -> new TorFoldProcessor(settings, sink),
                        org.apache.kafka.streams.kstream.Named.as(FOLD_NODE),
                        LEDGER_STORE, EMIT_STORE, TIMELINE_STORE, COMMIT_HOOK_STORE)
                .to(reportTopic, Produced.with(Topics.TOR.keySerde(), reportSerde).withName("tor-sink"));
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(StateKind state, String name, Serde<V> values) {
        StoreBuilder<KeyValueStore<String, V>> b = Stores.keyValueStoreBuilder(state == StateKind.DURABLE
                ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
                Topics.RUN_EVENTS.keySerde(), values).withCachingEnabled();
        return state == StateKind.DURABLE ? b : b.withLoggingDisabled();
    }
}
