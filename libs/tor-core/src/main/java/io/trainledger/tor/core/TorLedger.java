package io.trainledger.tor.core;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The TOR ledger of one run: a deterministic fold of the run's {@link RunEvent}s, in log order, into the state from
 * which a {@link TorReport} can be produced at any point ({@link #report()}).
 *
 * <p>Event time only, integer arithmetic only (micros for instants, nanos for durations), so the same events give the
 * same report bit for bit. Duplicates are dropped by natural keys (attempt, step, failed attempt, ...), which also
 * drops any event re-sent with the same {@code eventId}; events that carry no such key are deduplicated by a small
 * ring of recent event ids. Cross-producer reordering is tolerated as long as causally related events keep their order
 * (docs/TOR.md, "Ordering and duplicates").
 *
 * <p>The state serialises to a compact versioned binary form ({@link #toBytes()}, {@link #fromBytes(byte[])}) for a
 * Kafka Streams state store; folding in chunks with a serialise/deserialise between them equals folding at once.
 *
 * <p>Not thread-safe: one ledger per run, folded by one thread.
 */
public final class TorLedger {

    /** Version byte of {@link #toBytes()} (2 added the INFRA decision; version 1 states are still read). */
    public static final int STATE_VERSION = 2;
    /** Default sliding window: the last hour. */
    public static final long[] DEFAULT_WINDOWS_SECONDS = {3600};
    /** Default hardware multiples of the projection. */
    public static final double[] DEFAULT_PROJECTION_SCALES = {2, 4, 8, 16};

    static final int MAX_MARKS = 8;
    static final int RECENT_IDS = 8;
    static final long UNSET = Long.MIN_VALUE;
    private static final FailureType[] TYPES = FailureType.values();
    private static final int CORRUPT = FailureType.CHECKPOINT_CORRUPT.ordinal();
    private static final int INFRA = FailureType.INFRA.ordinal();
    static final int A_COUNT = 0;
    static final int A_DETECTION = 1;
    static final int A_RESTART = 2;
    static final int A_INIT = 3;
    static final int A_RESTORE = 4;
    static final int A_WASTED = 5;
    static final int A_COLS = 6;

    // identity and clock
    String runId = "";
    boolean submitted;
    long originMicros = UNSET;
    long asOfMicros = UNSET;
    long endMicros = UNSET;
    RunStatus status = RunStatus.UNKNOWN;
    long configuredIdealNanos;
    long eventsFolded;
    long executedSteps;

    // attempts and closed badput
    int currentAttempt;
    long queuedNanos;
    long initNanos;
    long restoreNanos;
    long stallNanos;
    long wastedNanos;
    long detectionNanos;
    long restartNanos;
    int pendingType = -1;
    long pendingDetectedMicros;
    int lastFailedAttempt;
    long lastFailedStep;
    final long[][] attr = new long[TYPES.length][A_COLS];

    // the preserved lineage: steps 1..head, with cumulative step time, and a ring of recent cumulative values
    StepLineage lineage = new StepLineage();

    // straggler (fail-slow) periods, as lineage quantities so a rollback undoes them exactly
    boolean stragOpen;
    int stragKeyAttempt;
    long stragKeyMicros = UNSET;
    long stragOnsetStep;
    long stragNanos;
    long stragSteps;

    // checkpoint marks: the lineage state at each snapshot, restorable once committed, never once rejected
    CheckpointMarks marks = new CheckpointMarks();
    /** Scratch result of {@link #rollbackTo}: WASTED due to a rejected checkpoint (not state). */
    long corruptWasted;

    // snapshot keys and the interval fit
    int lastSnapAttempt;
    long lastSnapStep;
    long lastSnapEndMicros = UNSET;
    long snapshotCount;
    long snapshotIntervalSteps;
    long prevSnapStep;

    // INFRA verdicts: a rollback failure if the next attempt follows, nothing to charge if the attempt steps on
    int infraKeyAttempt;
    long infraKeyMicros = UNSET;
    boolean infraOpen;
    long infraStep;
    long infraLastProgressMicros;
    long infraDetectedMicros;

    // other natural keys
    long lastFaultPlannedMicros = UNSET;
    int lastEvalAttempt;
    long lastEvalStep;
    int lastRecoveryAttempt;
    final long[] recentIds = new long[RECENT_IDS];
    int recentPos;

    // sliding windows
    final StepWindows windows;

    IdealStepEstimator ideal = new IdealStepEstimator();

    TorLedger(long[] windowSeconds) {
        this.windows = new StepWindows(windowSeconds);
    }

    /** A new, empty ledger with the default one-hour sliding window. */
    public static TorLedger create() {
        return new TorLedger(DEFAULT_WINDOWS_SECONDS);
    }

    /** A new, empty ledger with the given sliding windows (seconds, each a positive multiple of 60). */
    public static TorLedger create(long... windowSeconds) {
        return new TorLedger(windowSeconds);
    }

    /** Folds a whole sequence, in order. */
    public static TorLedger fold(Iterable<RunEvent> events) {
        TorLedger ledger = create();
        for (RunEvent e : events) {
            ledger.apply(e);
        }
        return ledger;
    }

    // ------------------------------------------------------------------------------------------------ the fold

    /**
     * Folds one event. Returns false when it was recognised as a duplicate (or carries nothing this ledger can use,
     * such as a commit of a checkpoint it never saw) and changed nothing.
     */
    public boolean apply(RunEvent event) {
        long t = micros(event.getEventTime());
        Object p = event.getPayload();
        boolean accepted;
        if (p instanceof StepCompleted s) {
            accepted = onStep(event.getAttempt(), t, s);
        } else if (p instanceof CheckpointSnapshotted s) {
            accepted = onSnapshot(event.getAttempt(), t, s);
        } else if (p instanceof CheckpointCommitted c) {
            accepted = onCommit(c);
        } else if (p instanceof AttemptStarted a) {
            accepted = onAttempt(t, a);
        } else if (p instanceof FailureDetected f) {
            // a CHECKPOINT_CORRUPT verdict records a CheckpointRejected, which the fold reads itself (onRejected):
            // it is not a rollback failure, so it only counts as an event
            accepted = f.getType() == FailureType.CHECKPOINT_CORRUPT ? firstSeen(event.getEventId()) : onFailure(f);
        } else if (p instanceof RecoveryCompleted r) {
            accepted = onRecovery(r);
        } else if (p instanceof RunSubmitted s) {
            accepted = onSubmitted(t, s);
        } else if (p instanceof RunCompleted) {
            accepted = onEnd(t, RunStatus.COMPLETED);
        } else if (p instanceof RunCancelled) {
            accepted = onEnd(t, RunStatus.CANCELLED);
        } else if (p instanceof CheckpointRejected r) {
            accepted = onRejected(r);
        } else if (p instanceof CheckpointDeleted d) {
            accepted = marks.remove(d.getStep());
        } else if (p instanceof FaultInjected f) {
            // ground truth from chaos: never read by TOR, only counted once
            long planned = micros(f.getPlannedAt());
            accepted = planned > lastFaultPlannedMicros;
            if (accepted) {
                lastFaultPlannedMicros = planned;
            }
        } else if (p instanceof EvalCompleted ev) {
            accepted = after(event.getAttempt(), ev.getStep(), lastEvalAttempt, lastEvalStep);
            if (accepted) {
                lastEvalAttempt = event.getAttempt();
                lastEvalStep = ev.getStep();
            }
        } else if (p instanceof RunRejected r) {
            accepted = firstSeen(event.getEventId());
            if (accepted && !submitted && "SubmitRun".equals(r.getCommand())) {
                status = RunStatus.REJECTED;
                endMicros = t;
            }
        } else {
            accepted = firstSeen(event.getEventId());
        }
        if (!accepted) {
            return false;
        }
        eventsFolded++;
        if (runId.isEmpty()) {
            runId = event.getRunId();
        }
        if (originMicros == UNSET) {
            originMicros = t;
        }
        if (endMicros == UNSET || t <= endMicros) {
            asOfMicros = asOfMicros == UNSET ? t : Math.max(asOfMicros, t);
        }
        if (endMicros != UNSET) {
            asOfMicros = endMicros;
        }
        return true;
    }

    private boolean onSubmitted(long t, RunSubmitted s) {
        if (submitted) {
            return false;
        }
        submitted = true;
        if (originMicros == UNSET || executedSteps == 0) {
            originMicros = t;
        }
        Double idealSeconds = s.getIdealStepSeconds();
        if (idealSeconds != null && idealSeconds > 0) {
            configuredIdealNanos = Math.round(idealSeconds * 1e9);
        }
        if (status == RunStatus.UNKNOWN) {
            status = RunStatus.SUBMITTED;
        }
        return true;
    }

    private boolean onAttempt(long t, AttemptStarted a) {
        int k = a.getAttempt();
        if (k <= currentAttempt) {
            return false;
        }
        if (originMicros == UNSET) {
            originMicros = t;
        }
        if (infraOpen) {
            // a new attempt follows the INFRA verdict: the outage did end the attempt, charge it as a rollback now
            infraOpen = false;
            if (infraKeyAttempt > lastFailedAttempt && infraKeyAttempt < k) {
                rollbackVerdict(INFRA, infraKeyAttempt, infraStep, infraLastProgressMicros, infraDetectedMicros);
            }
        }
        long init = Math.max(0, a.getInitNanos());
        long restore = Math.max(0, a.getRestoreNanos());
        long startInit = rel(t) - init - restore;
        closeStraggler();
        int type = pendingType;
        if (currentAttempt == 0) {
            queuedNanos = Math.max(0, startInit);
        } else if (type >= 0) {
            long restart = Math.max(0, startInit - rel(pendingDetectedMicros));
            restartNanos += restart;
            attr[type][A_RESTART] += restart;
        }
        initNanos += init;
        restoreNanos += restore;
        if (type >= 0) {
            attr[type][A_INIT] += init;
            attr[type][A_RESTORE] += restore;
        }
        long r = a.getRestoredFromStep() == null ? 0 : Math.max(0, a.getRestoredFromStep());
        if (currentAttempt > 0 || lineage.head() > 0) {
            long wasted = rollbackTo(r);
            wastedNanos += wasted;
            attr[CORRUPT][A_WASTED] += corruptWasted;
            if (type >= 0) {
                attr[type][A_WASTED] += wasted - corruptWasted;
            }
        }
        prevSnapStep = lineage.head();
        currentAttempt = k;
        pendingType = -1;
        if (endMicros == UNSET) {
            status = RunStatus.RUNNING;
        }
        return true;
    }

    private boolean onStep(int attempt, long t, StepCompleted s) {
        long step = s.getStep();
        if (attempt < currentAttempt || step <= lineage.head() || (attempt == lastFailedAttempt && step > lastFailedStep)) {
            return false; // a duplicate, a stale step of an earlier attempt, or a step after a failure's last progress
        }
        if (infraOpen && attempt == infraKeyAttempt && step > infraStep) {
            infraOpen = false; // the attempt stepped on after the outage: it survived, nothing to charge
        }
        long d = Math.max(0, s.getStepNanos());
        executedSteps++;
        lineage.append(step, d);
        if (stragOpen) {
            stragNanos += d;
            stragSteps++;
        } else if (Double.isFinite(s.getLoss())) {
            ideal.add(d);
        }
        if (originMicros == UNSET) {
            originMicros = t;
        }
        windows.addStep(rel(t));
        return true;
    }

    private boolean onSnapshot(int attempt, long t, CheckpointSnapshotted s) {
        long c = s.getStep();
        if (!after(attempt, c, lastSnapAttempt, lastSnapStep) || attempt < currentAttempt
                || (attempt == lastFailedAttempt && c > lastFailedStep) || c > lineage.head()) {
            return false;
        }
        lastSnapAttempt = attempt;
        lastSnapStep = c;
        lastSnapEndMicros = t;
        stallNanos += Math.max(0, s.getStallNanos());
        snapshotCount++;
        snapshotIntervalSteps += Math.max(0, c - prevSnapStep);
        prevSnapStep = c;
        if (marks.find(c) < 0) {
            addMark(c, cumAt(c));
        }
        return true;
    }

    private boolean onCommit(CheckpointCommitted cc) {
        long c = cc.getStep();
        int i = marks.find(c);
        if (i < 0) {
            return false; // a commit follows its snapshot: without one it is re-sent or of rolled-back work
        }
        if (!marks.pending(i)) {
            return false; // re-sent, or a commit of a snapshot already rejected (contradictory: the rejection stands)
        }
        marks.commit(i);
        // commits arrive in step order: an older snapshot that is still uncommitted never will be, and an older
        // rejected one no longer matters (a restore that falls below this commit is charged to this one's rejection)
        marks.settleBelow(c, MAX_MARKS);
        return true;
    }

    /**
     * A snapshot rejected at commit, or a committed checkpoint rejected at restore (CHECKPOINT_CORRUPT). Neither stops
     * training nor rolls anything back by itself: the mark stays (with its lineage values) but can no longer be a
     * restore point, and the next rollback charges the work between the checkpoint restored instead and this one to
     * CHECKPOINT_CORRUPT (see {@link #rollbackTo}). Counted once per checkpoint; a rejection of a checkpoint this
     * ledger holds no mark for (rolled back, pruned, never seen) costs nothing and is not counted.
     */
    private boolean onRejected(CheckpointRejected r) {
        int i = marks.find(r.getStep());
        if (i < 0 || marks.rejected(i)) {
            return false;
        }
        marks.reject(i);
        attr[CORRUPT][A_COUNT]++;
        return true;
    }

    private boolean onFailure(FailureDetected f) {
        int type = f.getType().ordinal();
        int failed = f.getFailedAttempt();
        long lastProgress = micros(f.getLastProgressTime());
        if (f.getType() == FailureType.STRAGGLER) {
            if (!after(failed, lastProgress, stragKeyAttempt, stragKeyMicros)) {
                return false;
            }
            stragKeyAttempt = failed;
            stragKeyMicros = lastProgress;
            attr[type][A_COUNT]++;
            if (!stragOpen && failed >= currentAttempt) {
                // fail-slow: the run keeps stepping. Steps after the last healthy one (f.step) count as slow, also
                // those already folded before the verdict arrived.
                stragOpen = true;
                long onset = Math.max(f.getStep(), lineage.lowestKnown());
                stragOnsetStep = onset;
                if (onset < lineage.head()) {
                    stragNanos += lineage.cumNanos() - cumAt(onset);
                    stragSteps += lineage.head() - onset;
                }
            }
            return true;
        }
        if (f.getType() == FailureType.INFRA) {
            return onInfra(f, failed, lastProgress);
        }
        if (failed <= lastFailedAttempt) {
            return false;
        }
        if (infraOpen && failed >= infraKeyAttempt) {
            infraOpen = false; // the attempt failed otherwise after all: the INFRA verdict stays a count
        }
        attr[type][A_COUNT]++;
        rollbackVerdict(type, failed, f.getStep(), lastProgress, micros(f.getDetectedTime()));
        return true;
    }

    /**
     * INFRA: the broker was unreachable beyond a bound. Whether that ended the attempt is known only later: if the
     * attempt steps on (a step after the verdict's step) it survived and nothing is charged (its stall, if any, is in
     * OTHER); if the next attempt starts first, the verdict is charged as a rollback failure then, with the same
     * numbers it would have had at once. Counted once per (failed attempt, lastProgressTime).
     */
    private boolean onInfra(FailureDetected f, int failed, long lastProgress) {
        if (!after(failed, lastProgress, infraKeyAttempt, infraKeyMicros)) {
            return false;
        }
        infraKeyAttempt = failed;
        infraKeyMicros = lastProgress;
        attr[INFRA][A_COUNT]++;
        if (failed < currentAttempt) {
            // the next attempt already started: a rollback failure whose verdict came late
            if (failed > lastFailedAttempt) {
                rollbackVerdict(INFRA, failed, f.getStep(), lastProgress, micros(f.getDetectedTime()));
            }
            return true;
        }
        if (failed > lastFailedAttempt && !(failed == currentAttempt && lineage.head() > f.getStep())) {
            infraOpen = true;
            infraStep = f.getStep();
            infraLastProgressMicros = lastProgress;
            infraDetectedMicros = micros(f.getDetectedTime());
        }
        return true;
    }

    /** DETECTION and, for the current attempt, the cut of the lineage and the pending RESTART of a rollback failure. */
    private void rollbackVerdict(int type, int failed, long step, long lastProgress, long detectedMicros) {
        lastFailedAttempt = failed;
        lastFailedStep = step;
        // a snapshot taken after the last step is CHECKPOINT_STALL already: detection starts when it ended
        long from = failed == lastSnapAttempt && lastSnapEndMicros != UNSET ? Math.max(lastProgress, lastSnapEndMicros) : lastProgress;
        long detection = Math.max(0, (detectedMicros - from) * 1000);
        detectionNanos += detection;
        attr[type][A_DETECTION] += detection;
        if (failed >= currentAttempt) {
            if (lineage.head() > step) {
                // steps completed after the last progress (e.g. the diverged ones of a NaN) lie inside DETECTION
                truncateTo(Math.max(step, lineage.lowestKnown()));
            }
            closeStraggler();
            pendingType = type;
            pendingDetectedMicros = detectedMicros;
            if (endMicros == UNSET) {
                status = RunStatus.RECOVERING;
            }
        }
    }

    private boolean onRecovery(RecoveryCompleted r) {
        if (r.getFailureType() == FailureType.STRAGGLER) {
            if (!stragOpen || r.getRestoredStep() <= stragOnsetStep) {
                return false; // nothing open, or a re-sent close of an earlier period
            }
            closeStraggler();
            return true;
        }
        if (r.getAttempt() <= lastRecoveryAttempt) {
            return false;
        }
        lastRecoveryAttempt = r.getAttempt();
        return true; // AttemptStarted carries what TOR needs
    }

    private boolean onEnd(long t, RunStatus end) {
        if (endMicros != UNSET) {
            return false;
        }
        closeStraggler();
        infraOpen = false;
        endMicros = Math.max(t, asOfMicros == UNSET ? t : asOfMicros);
        status = end;
        return true;
    }

    private void closeStraggler() {
        stragOpen = false;
    }

    // ------------------------------------------------------------------------------------------------ lineage

    /**
     * Rolls the lineage back to step r, returning the step time lost (WASTED); the part of it lost because a newer
     * checkpoint was rejected is left in {@link #corruptWasted}.
     */
    private long rollbackTo(long r) {
        corruptWasted = 0;
        if (r >= lineage.head()) {
            if (r > lineage.head()) {
                lineage.jumpTo(r); // restored from a step this ledger never saw: progress without known time
            }
            return 0;
        }
        long lost = lineage.head() - r;
        long cumR;
        int i = marks.find(r);
        if (r == 0) {
            cumR = 0;
            stragNanos = 0;
            stragSteps = 0;
        } else if (i >= 0) {
            cumR = marks.cum(i);
            stragNanos = marks.stragNanos(i);
            stragSteps = marks.stragSteps(i);
        } else {
            cumR = cumAt(r);
            stragSteps = Math.min(stragSteps, r);
            stragNanos = Math.min(stragNanos, cumR);
        }
        long wasted = lineage.cumNanos() - cumR;
        // had the newest rejected checkpoint above r been good, the restore would have reached it: the work between r
        // and it is lost to the rejection
        corruptWasted = Math.min(wasted, Math.max(0, marks.cumOfNewestRejected(r, lineage.head()) - cumR));
        truncateLineage(r, cumR, lost);
        return wasted;
    }

    /** Drops steps after s from the lineage without calling their time WASTED (it is already in DETECTION). */
    private void truncateTo(long s) {
        long head = lineage.head();
        // only the dropped steps of an open straggler period, those after its onset, were slow; how many dropped
        // steps the ledger saw before the verdict (reordering) must not change the straggler's share
        long slowFrom = Math.max(s, stragOnsetStep);
        if (stragOpen && slowFrom < head) {
            stragSteps = Math.max(0, stragSteps - (head - slowFrom));
            stragNanos = Math.max(0, stragNanos - (lineage.cumNanos() - cumAt(slowFrom)));
        }
        truncateLineage(s, cumAt(s), head - s);
    }

    private void truncateLineage(long r, long cumR, long lost) {
        lineage.truncate(r, cumR);
        marks.dropAfter(r);
        if (lastSnapStep > r) {
            lastSnapStep = r;
        }
        windows.removeNewest(lost);
    }

    /** Cumulative preserved step time at step s (s <= head), see {@link StepLineage#cumAt}. */
    private long cumAt(long s) {
        return lineage.cumAt(s, marks);
    }

    /** A mark of the lineage at step c (cumulative time cum); straggler quantities as of then, or bounded by it. */
    private void addMark(long c, long cum) {
        boolean current = c == lineage.head();
        marks.insert(c, cum, current ? stragNanos : Math.min(stragNanos, cum), current ? stragSteps : Math.min(stragSteps, c));
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Ideal step time in use right now: the configured one, else the robust estimate (0 before any step). */
    public long idealStepNanos() {
        return configuredIdealNanos > 0 ? configuredIdealNanos : ideal.estimate();
    }

    /** The run id taken from the first event folded ("" before any). */
    public String runId() {
        return runId;
    }

    /** Distinct events folded. */
    public long eventsFolded() {
        return eventsFolded;
    }

    /** The run's status as of the last folded event (the status of {@link #report()}). */
    public RunStatus status() {
        return status;
    }

    /** Event time of the report, micros since the epoch, or {@link Long#MIN_VALUE} before any event. */
    public long asOfMicros() {
        return asOfMicros;
    }

    /** Report at the latest folded event time with the default projection scales. */
    public TorReport report() {
        return report(DEFAULT_PROJECTION_SCALES);
    }

    /** Report at the latest folded event time (the run's end once it has ended). */
    public TorReport report(double... projectionScales) {
        return accounting().toReport(projectionScales);
    }

    /** The accounting as plain numbers, before it is put into a {@link TorReport}. */
    public TorAccounting accounting() {
        long tObs = asOfMicros == UNSET ? 0 : Math.max(0, rel(asOfMicros));
        long idealNanos = idealStepNanos();
        long[][] a = new long[TYPES.length][];
        for (int i = 0; i < a.length; i++) {
            a[i] = attr[i].clone();
        }
        long queued = currentAttempt == 0 ? tObs : queuedNanos;
        long restart = restartNanos;
        if (pendingType >= 0 && asOfMicros != UNSET) {
            long open = Math.max(0, (asOfMicros - pendingDetectedMicros) * 1000);
            restart += open;
            a[pendingType][A_RESTART] += open;
        }
        long tOptRaw = saturatingMultiply(lineage.head(), idealNanos);
        long slowRaw = Math.max(0, lineage.cumNanos() - tOptRaw);
        long stragSlow = Math.max(0, stragNanos - saturatingMultiply(stragSteps, idealNanos));

        // T_obs = T_opt + sum(buckets) exactly: each part is capped by what is left, OTHER takes the residual.
        long left = tObs;
        long[] parts = {queued, initNanos, restoreNanos, detectionNanos, restart, stallNanos, wastedNanos, tOptRaw, slowRaw};
        for (int i = 0; i < parts.length; i++) {
            parts[i] = Math.min(Math.max(0, parts[i]), left);
            left -= parts[i];
        }
        long slowdown = parts[8];
        long[] slowByType = new long[TYPES.length];
        slowByType[FailureType.STRAGGLER.ordinal()] = Math.min(stragSlow, slowdown);

        long[] wTObs = new long[windows.size()];
        long[] wTOpt = new long[windows.size()];
        for (int w = 0; w < windows.size(); w++) {
            wTObs[w] = tObs - Math.max(0, windows.startNanos(w, tObs));
            wTOpt[w] = Math.min(wTObs[w], saturatingMultiply(windows.steps(w, tObs), idealNanos));
        }
        long exposure = tObs - parts[0] - parts[1] - parts[2] - parts[3] - parts[4];
        return new TorAccounting(runId, asOfMicros == UNSET ? 0 : asOfMicros, eventsFolded, status, tObs, parts[7],
                lineage.head(), executedSteps, idealNanos, configuredIdealNanos <= 0,
                parts[0], parts[1], parts[2], parts[5], parts[6], parts[3], parts[4], slowdown, left,
                a, slowByType, windows.seconds(), wTObs, wTOpt,
                exposure, snapshotCount, snapshotIntervalSteps, stallNanos);
    }

    // ------------------------------------------------------------------------------------------------ state bytes

    /** The whole fold state in a compact versioned binary form (first byte {@link #STATE_VERSION}; {@link TorLedgerCodec}). */
    public byte[] toBytes() {
        return TorLedgerCodec.write(this);
    }

    /** Restores a ledger written by {@link #toBytes()}. */
    public static TorLedger fromBytes(byte[] bytes) {
        return TorLedgerCodec.read(bytes);
    }

    /** An independent copy (through the binary form, so it is exactly what a state store would give back). */
    public TorLedger copy() {
        return fromBytes(toBytes());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private boolean firstSeen(UUID id) {
        long h = id == null ? 0 : id.getMostSignificantBits() * 31 + id.getLeastSignificantBits();
        for (long seen : recentIds) {
            if (seen == h && h != 0) {
                return false;
            }
        }
        recentIds[recentPos] = h;
        recentPos = (recentPos + 1) % RECENT_IDS;
        return true;
    }

    private static boolean after(int attempt, long key, int lastAttempt, long lastKey) {
        return attempt > lastAttempt || (attempt == lastAttempt && key > lastKey);
    }

    private long rel(long micros) {
        return (micros - originMicros) * 1000;
    }

    /** Event time in microseconds since the epoch (RunEvent times carry microsecond precision). */
    public static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
            return lo;
        }
        return Long.MAX_VALUE;
    }

    static List<FailureType> types() {
        return new ArrayList<>(Arrays.asList(TYPES));
    }
}
