package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each run's ledger events with {@link TorLedger} and forwards the run's {@link TorReport} when it changed,
 * throttled per run on two clocks: a milestone (submission, attempt start, failure verdict, recovery, end or
 * rejection) always emits; any other event emits once at least {@code minReportInterval} of <em>event time</em> has
 * passed since the last emitted report (a live run: about one report per second of training) <em>and</em> at least
 * {@code minReportWallInterval} of wall-clock time (catching up over a backlog, where event time runs thousands of
 * times faster than the wall clock: a bounded rate per run), and otherwise marks the run pending. A wall-clock
 * punctuation emits pending runs every {@code flushInterval}, so a run whose events stop (a crash) still gets its
 * latest report out.
 *
 * <p>Hot path: the decoded ledgers of recently active runs stay in memory, and a changed ledger is encoded and written
 * to its store once per commit (write-behind, {@link CommitHookStore}), not once per event; the other stores are
 * cached (one RocksDB and changelog write per run and commit), and the timeline is kept as small records
 * ({@link TimelineStore}), so an event costs the fold and a few small cached puts. The TOR curve of the timeline is sampled on event time, independent of which reports were emitted, so a
 * replay builds the same curve.
 */
final class TorFoldProcessor implements Processor<String, RunEvent, String, TorReport> {
    // SLF4J (Kafka's own logging API), not JBoss Logging: the topology also runs outside Quarkus (LedgerReplay, CLI).
    private static final Logger LOG = LoggerFactory.getLogger(TorFoldProcessor.class);
    private static final int CACHED_RUNS = 1024;

    private final TopologySettings settings;
    private final ReportSink sink;
    private final long minIntervalMicros;
    private final long minWallIntervalMs;
    /** Runs whose latest fold is not emitted yet; rebuilt from the emit store on (re)start. */
    private final Set<String> pending = new LinkedHashSet<>();
    /** Wall-clock time of each run's last emitted report (in memory only: after a restart the first report is due). */
    private final Map<String, Long> lastEmitWallMs = new HashMap<>();
    /** Kafka timestamp of the latest folded record of each pending run (the stored mark has the first one). */
    private final Map<String, Long> latestLedgerTimestampMs = new HashMap<>();
    /**
     * Decoded ledgers of recently active runs: always the object last put to the store. Dropped on
     * (re)initialisation, so a task restored after an aborted transaction reads the store again.
     */
    private final RunCache<TorLedger> ledgerCache = new RunCache<>(CACHED_RUNS);
    /** The emit marks of recently active runs, as last written to the store (immutable records). */
    private final RunCache<EmitMark> markCache = new RunCache<>(CACHED_RUNS);
    /**
     * Runs whose ledger changed since the task's last commit (write-behind): each is encoded and written to the
     * ledger store once, at the start of the commit ({@link CommitHookStore}), instead of once per event. Dropped,
     * like the caches, when the task is re-initialised after an aborted transaction.
     */
    private final Map<String, TorLedger> unwritten = new LinkedHashMap<>();
    private ProcessorContext<String, TorReport> context;
    private KeyValueStore<String, TorLedger> ledgers;
    private KeyValueStore<String, EmitMark> marks;
    private TimelineStore timelines;

    TorFoldProcessor(TopologySettings settings, ReportSink sink) {
        this.settings = settings;
        this.sink = sink;
        this.minIntervalMicros = settings.minReportInterval().toNanos() / 1000;
        this.minWallIntervalMs = settings.minReportWallInterval().toMillis();
    }

    @Override
    public void init(ProcessorContext<String, TorReport> context) {
        this.context = context;
        this.ledgers = context.getStateStore(TorTopology.LEDGER_STORE);
        this.marks = context.getStateStore(TorTopology.EMIT_STORE);
        this.timelines = new TimelineStore(context.getStateStore(TorTopology.TIMELINE_STORE));
        CommitHookStore hook = context.getStateStore(TorTopology.COMMIT_HOOK_STORE);
        hook.beforeCommit(this::writeLedgers);
        unwritten.clear();
        ledgerCache.clear();
        markCache.clear();
        lastEmitWallMs.clear();
        latestLedgerTimestampMs.clear();
        pending.clear();
        // A restarted task finds the held-back runs in its (restored) store and flushes them as before.
        try (KeyValueIterator<String, EmitMark> it = marks.all()) {
            while (it.hasNext()) {
                KeyValue<String, EmitMark> kv = it.next();
                if (kv.value.pending()) {
                    pending.add(kv.key);
                }
            }
        }
        context.schedule(settings.flushInterval(), PunctuationType.WALL_CLOCK_TIME, this::flushPending);
    }

    @Override
    public void process(Record<String, RunEvent> record) {
        String runId = record.key();
        RunEvent event = record.value();
        // Tombstones and keyless records carry no fact about a run (the ledger is keyed by runId).
        if (runId == null || event == null) {
            return;
        }
        TorLedger ledger = ledger(runId);
        if (ledger == null) {
            ledger = TorLedger.create();
            ledgerCache.put(runId, ledger);
        }
        if (!ledger.apply(event)) {
            return; // a duplicate (or nothing the fold can use): the report has not changed
        }
        unwritten.put(runId, ledger);
        timelines.add(runId, event, settings.timelineMaxEvents(), settings.timelineMaxSteps());

        EmitMark mark = mark(runId);
        long now = context.currentSystemTimeMs();
        Long lastWall = lastEmitWallMs.get(runId);
        boolean due = mark == null || isMilestone(event.getPayload())
                || (ledger.asOfMicros() - mark.lastEmittedAsOfMicros() >= minIntervalMicros
                && (lastWall == null || now - lastWall >= minWallIntervalMs));
        boolean torPointDue = timelines.torPointDue(runId, ledger.asOfMicros(), isEnded(ledger.status()));
        TorReport report = due || torPointDue ? ledger.report() : null;
        if (torPointDue) {
            addTorPoint(runId, report);
        }
        if (due) {
            emit(runId, ledger, report, record.timestamp(), record.timestamp());
        } else {
            latestLedgerTimestampMs.put(runId, record.timestamp());
            if (!mark.pending()) {
                // Stored once per held-back period (not per event), so that a restarted task flushes it.
                putMark(runId, new EmitMark(mark.lastEmittedAsOfMicros(), record.timestamp(), true));
                pending.add(runId);
            }
        }
    }

    private void flushPending(long wallClockMs) {
        for (String runId : new ArrayList<>(pending)) {
            TorLedger ledger = ledger(runId);
            EmitMark mark = mark(runId);
            if (ledger == null || mark == null) {
                pending.remove(runId);
                continue;
            }
            Long latest = latestLedgerTimestampMs.get(runId);
            emit(runId, ledger, ledger.report(), wallClockMs, latest == null ? mark.lastLedgerTimestampMs() : latest);
        }
    }

    private void emit(String runId, TorLedger ledger, TorReport report, long recordTimestampMs,
                      long ledgerTimestampMs) {
        context.forward(new Record<>(runId, report, recordTimestampMs));
        putMark(runId, new EmitMark(ledger.asOfMicros(), ledgerTimestampMs, false));
        pending.remove(runId);
        latestLedgerTimestampMs.remove(runId);
        lastEmitWallMs.put(runId, context.currentSystemTimeMs());
        try {
            sink.emitted(report, ledgerTimestampMs);
        } catch (RuntimeException e) {
            // Metrics and SSE are best effort: they must never fail the task (and abort its transaction).
            LOG.warn("run {}: report listener failed", runId, e);
        }
    }

    private void addTorPoint(String runId, TorReport report) {
        double windowTor = Double.NaN;
        long windowSeconds = 0;
        if (!report.getWindows().isEmpty()) {
            var w = report.getWindows().get(0);
            windowTor = w.getTor();
            windowSeconds = w.getWindowSeconds();
        }
        timelines.addTor(runId, new RunTimeline.TorPoint(ledgerTime(report), report.getTor(), windowTor,
                windowSeconds), settings.timelineMaxSteps());
    }

    private static long ledgerTime(TorReport report) {
        return TorLedger.micros(report.getAsOfEventTime());
    }

    private EmitMark mark(String runId) {
        return markCache.get(runId, marks::get);
    }

    private void putMark(String runId, EmitMark mark) {
        marks.put(runId, mark);
        markCache.put(runId, mark);
    }

    private TorLedger ledger(String runId) {
        TorLedger changed = unwritten.get(runId);
        return changed != null ? changed : ledgerCache.get(runId, ledgers::get);
    }

    /** Writes the ledgers changed since the last commit (the ledger store has no cache: straight to its changelog). */
    private void writeLedgers() {
        for (Map.Entry<String, TorLedger> e : unwritten.entrySet()) {
            ledgers.put(e.getKey(), e.getValue());
        }
        unwritten.clear();
    }

    @Override
    public void close() {
        unwritten.clear();
        ledgerCache.clear();
        markCache.clear();
        timelines.clearCache();
    }

    private static boolean isEnded(RunStatus status) {
        return status == RunStatus.COMPLETED || status == RunStatus.CANCELLED || status == RunStatus.REJECTED;
    }

    /** Events that change a run's status or end it: always reported at once. */
    static boolean isMilestone(Object payload) {
        return payload instanceof RunSubmitted || payload instanceof AttemptStarted
                || payload instanceof FailureDetected || payload instanceof RecoveryCompleted
                || payload instanceof RunCompleted || payload instanceof RunCancelled
                || payload instanceof RunRejected;
    }
}
