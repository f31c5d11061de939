package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
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
 * throttled per run: a milestone (submission, attempt start, failure verdict, recovery, end or rejection) always
 * emits; other events emit once at least {@code minReportInterval} of event time has passed since the last emitted
 * report, and otherwise mark the run pending. A wall-clock punctuation emits pending runs every
 * {@code flushInterval}, so a run whose events stop (a crash) still gets its latest report out.
 */
final class TorFoldProcessor implements Processor<String, RunEvent, String, TorReport> {
    // SLF4J (Kafka's own logging API), not JBoss Logging: the topology also runs outside Quarkus (LedgerReplay, CLI).
    private static final Logger LOG = LoggerFactory.getLogger(TorFoldProcessor.class);

    private final TopologySettings settings;
    private final ReportSink sink;
    private final long minIntervalMicros;
    /** Runs whose latest fold is not emitted yet; rebuilt from the emit store on (re)start. */
    private final Set<String> pending = new LinkedHashSet<>();
    private ProcessorContext<String, TorReport> context;
    private KeyValueStore<String, TorLedger> ledgers;
    private KeyValueStore<String, EmitMark> marks;
    private KeyValueStore<String, RunTimeline> timelines;
    /**
     * Deserialized timelines of recently active runs (a long run's timeline is tens of KB: decoding it for every
     * event dominated the cost). Always the object last put to the store; dropped on (re)initialisation, so a task
     * restored after an aborted transaction reads the store again.
     */
    private final java.util.Map<String, RunTimeline> timelineCache = new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, RunTimeline> eldest) {
            return size() > 256;
        }
    };

    TorFoldProcessor(TopologySettings settings, ReportSink sink) {
        this.settings = settings;
        this.sink = sink;
        this.minIntervalMicros = settings.minReportInterval().toNanos() / 1000;
    }

    @Override
    public void init(ProcessorContext<String, TorReport> context) {
        this.context = context;
        this.ledgers = context.getStateStore(TorTopology.LEDGER_STORE);
        this.marks = context.getStateStore(TorTopology.EMIT_STORE);
        this.timelines = context.getStateStore(TorTopology.TIMELINE_STORE);
        timelineCache.clear();
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
        TorLedger ledger = ledgers.get(runId);
        if (ledger == null) {
            ledger = TorLedger.create();
        }
        if (!ledger.apply(event)) {
            return; // a duplicate (or nothing the fold can use): the report has not changed
        }
        ledgers.put(runId, ledger);

        RunTimeline timeline = timeline(runId);
        if (timeline == null) {
            timeline = RunTimeline.empty();
            timelineCache.put(runId, timeline);
        }
        // The timeline is tens of KB in a long run: rewrite it only when it changed (most steps of a long run fall
        // off the downsampling stride), not once per event.
        if (timeline.add(event, settings.timelineMaxEvents(), settings.timelineMaxSteps())) {
            timelines.put(runId, timeline);
        }

        EmitMark mark = marks.get(runId);
        boolean due = mark == null || isMilestone(event.getPayload())
                || ledger.asOfMicros() - mark.lastEmittedAsOfMicros() >= minIntervalMicros;
        if (due) {
            emit(runId, ledger, record.timestamp(), record.timestamp(), timeline);
        } else {
            marks.put(runId, new EmitMark(mark.lastEmittedAsOfMicros(), record.timestamp(), true));
            pending.add(runId);
        }
    }

    private void flushPending(long wallClockMs) {
        for (String runId : new ArrayList<>(pending)) {
            TorLedger ledger = ledgers.get(runId);
            EmitMark mark = marks.get(runId);
            if (ledger == null || mark == null) {
                pending.remove(runId);
                continue;
            }
            emit(runId, ledger, wallClockMs, mark.lastLedgerTimestampMs(), timeline(runId));
        }
    }

    private void emit(String runId, TorLedger ledger, long recordTimestampMs, long ledgerTimestampMs,
                      RunTimeline timeline) {
        TorReport report = ledger.report();
        context.forward(new Record<>(runId, report, recordTimestampMs));
        if (timeline != null && timeline.addReport(report, settings.timelineMaxSteps())) {
            timelines.put(runId, timeline);
        }
        marks.put(runId, new EmitMark(ledger.asOfMicros(), ledgerTimestampMs, false));
        pending.remove(runId);
        try {
            sink.emitted(report, ledgerTimestampMs);
        } catch (RuntimeException e) {
            // Metrics and SSE are best effort: they must never fail the task (and abort its transaction).
            LOG.warn("run {}: report listener failed", runId, e);
        }
    }

    private RunTimeline timeline(String runId) {
        RunTimeline cached = timelineCache.get(runId);
        if (cached != null) {
            return cached;
        }
        RunTimeline stored = timelines.get(runId);
        if (stored != null) {
            timelineCache.put(runId, stored);
        }
        return stored;
    }

    @Override
    public void close() {
        timelineCache.clear();
    }

    /** Events that change a run's status or end it: always reported at once. */
    static boolean isMilestone(Object payload) {
        return payload instanceof RunSubmitted || payload instanceof AttemptStarted
                || payload instanceof FailureDetected || payload instanceof RecoveryCompleted
                || payload instanceof RunCompleted || payload instanceof RunCancelled
                || payload instanceof RunRejected;
    }
}
