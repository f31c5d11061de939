package io.trainledger.monitor;

import io.trainledger.events.FailureType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * What the monitor knows about one run, kept in the changelogged store {@link FailureMonitorTopology#RUN_STORE}:
 * the current attempt and its liveness and progress, recent healthy step times, the open straggler period, the
 * failure awaiting its recovery, and the verdicts already issued (the dedupe set that makes a verdict exactly-once
 * across restarts, since it commits in the same transaction as the verdict itself).
 *
 * <p>All instants are event times in microseconds since the epoch, except {@code touchedWallMs},
 * {@code backlogWallMs} and {@code finishedWallMs}, which are the monitor's own clock.
 */
final class RunWatch {
    static final int NONE = -1;
    /** 2 added {@code backlogWallMs}, 3 the attempt's warm-up; states of versions 1 and 2 still read. */
    private static final byte VERSION = 3;
    private static final int MAX_VERDICT_KEYS = 32;

    int attempt;
    boolean attemptStarted;
    /** A CRASH, HANG or NAN_LOSS verdict was issued for the current attempt: it is no longer watched. */
    boolean attemptFailed;
    long lastStep;
    long lastProgressMicros;
    long lastSnapshotMicros;
    long lastHeartbeatMicros;
    long heartbeatStep;
    long heartbeatProgressMicros;
    boolean finished;
    long finishedWallMs;
    long touchedWallMs;
    /** When a record of this run last arrived well behind its event time (a backlog is being worked off). */
    long backlogWallMs;

    // rolling window of healthy step durations (ns)
    long[] stepWindow = new long[0];
    int stepCount;
    int stepNext;

    // straggler
    /** Event time of the current attempt's AttemptStarted (or first sign, until it is seen). */
    long attemptStartMicros;
    /** The step the current attempt started from (its restored step). */
    long attemptStartStep;
    /** The current attempt has had a healthy step, or its warm-up allowance ran out: its slow steps are judged. */
    boolean warmedUp;
    /** Slow steps of the current attempt skipped as its warm-up so far. */
    int warmupSlowSteps;
    int slowStreak;
    int healthyStreak;
    boolean stragglerOpen;
    long slowOnsetStep;
    long slowOnsetMicros;

    // rollback failure awaiting the next attempt
    int pendingAttempt = NONE;
    FailureType pendingType = FailureType.UNKNOWN;
    long pendingStep;
    long pendingLastProgressMicros;

    final Deque<String> verdicts = new ArrayDeque<>();

    /** Resets the per-attempt fields for attempt {@code a} (a new process). */
    void beginAttempt(int a, long firstSignMicros) {
        attempt = a;
        attemptStarted = false;
        attemptFailed = false;
        lastHeartbeatMicros = 0;
        heartbeatStep = 0;
        heartbeatProgressMicros = 0;
        lastProgressMicros = firstSignMicros;
        attemptStartMicros = firstSignMicros;
        attemptStartStep = lastStep;
        warmedUp = false;
        warmupSlowSteps = 0;
        slowStreak = 0;
        healthyStreak = 0;
        stragglerOpen = false;
    }

    /** Last progress of the current attempt, from the ledger or from heartbeats, whichever is newer. */
    long progressMicros() {
        return Math.max(lastProgressMicros, heartbeatProgressMicros);
    }

    long progressStep() {
        return Math.max(lastStep, heartbeatStep);
    }

    /**
     * The latest sign that the current attempt's process was alive: a heartbeat, or progress it wrote (its
     * AttemptStarted, a step), or 0 when there is none yet. Progress counts too so that an attempt that crashes
     * before its first heartbeat is still judged.
     */
    long signOfLifeMicros() {
        return Math.max(lastHeartbeatMicros, attemptStarted ? progressMicros() : 0);
    }

    boolean hasVerdict(String key) {
        return verdicts.contains(key);
    }

    void addVerdict(String key) {
        if (!verdicts.contains(key)) {
            verdicts.addLast(key);
            while (verdicts.size() > MAX_VERDICT_KEYS) {
                verdicts.removeFirst();
            }
        }
    }

    static String verdictKey(FailureType type, int attempt, long step, long lastProgressMicros) {
        return switch (type) {
            // a straggler period is identified by its onset
            case STRAGGLER -> attempt + ":" + type + ":" + step;
            // a rejection by its checkpoint and its time: one attempt may reject the same step at restore and, after
            // redoing it, at commit
            case CHECKPOINT_CORRUPT -> attempt + ":" + type + ":" + step + "@" + lastProgressMicros;
            // a survived broker outage by its start (the verdict's lastProgressTime)
            case INFRA -> attempt + ":" + type + "@" + lastProgressMicros;
            // process-level failures by attempt and type
            default -> attempt + ":" + type;
        };
    }

    void addStepSample(long nanos, int window) {
        if (stepWindow.length != window) {
            long[] resized = new long[window];
            int keep = Math.min(stepCount, window);
            for (int i = 0; i < keep; i++) {
                resized[keep - 1 - i] = stepWindow[Math.floorMod(stepNext - 1 - i, stepWindow.length)];
            }
            stepWindow = resized;
            stepCount = keep;
            stepNext = keep % window;
        }
        stepWindow[stepNext] = nanos;
        stepNext = (stepNext + 1) % window;
        stepCount = Math.min(stepCount + 1, window);
    }

    /** Median of the healthy step durations in the window, or 0 with fewer than {@code minSamples}. */
    long medianStepNanos(int minSamples) {
        if (stepCount < minSamples || stepCount == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(stepWindow, stepCount);
        Arrays.sort(sorted);
        int mid = stepCount / 2;
        return stepCount % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 8 * stepCount);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeInt(attempt);
            out.writeBoolean(attemptStarted);
            out.writeBoolean(attemptFailed);
            out.writeLong(lastStep);
            out.writeLong(lastProgressMicros);
            out.writeLong(lastSnapshotMicros);
            out.writeLong(lastHeartbeatMicros);
            out.writeLong(heartbeatStep);
            out.writeLong(heartbeatProgressMicros);
            out.writeBoolean(finished);
            out.writeLong(finishedWallMs);
            out.writeLong(touchedWallMs);
            out.writeLong(backlogWallMs);
            out.writeInt(stepWindow.length);
            out.writeInt(stepCount);
            out.writeInt(stepNext);
            for (int i = 0; i < stepCount; i++) {
                out.writeLong(stepWindow[i]);
            }
            out.writeLong(attemptStartMicros);
            out.writeLong(attemptStartStep);
            out.writeBoolean(warmedUp);
            out.writeInt(warmupSlowSteps);
            out.writeInt(slowStreak);
            out.writeInt(healthyStreak);
            out.writeBoolean(stragglerOpen);
            out.writeLong(slowOnsetStep);
            out.writeLong(slowOnsetMicros);
            out.writeInt(pendingAttempt);
            out.writeUTF(pendingType.name());
            out.writeLong(pendingStep);
            out.writeLong(pendingLastProgressMicros);
            out.writeInt(verdicts.size());
            for (String v : verdicts) {
                out.writeUTF(v);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RunWatch fromBytes(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            byte version = in.readByte();
            if (version < 1 || version > VERSION) {
                throw new IllegalStateException("unknown RunWatch state version " + version);
            }
            RunWatch w = new RunWatch();
            w.attempt = in.readInt();
            w.attemptStarted = in.readBoolean();
            w.attemptFailed = in.readBoolean();
            w.lastStep = in.readLong();
            w.lastProgressMicros = in.readLong();
            w.lastSnapshotMicros = in.readLong();
            w.lastHeartbeatMicros = in.readLong();
            w.heartbeatStep = in.readLong();
            w.heartbeatProgressMicros = in.readLong();
            w.finished = in.readBoolean();
            w.finishedWallMs = in.readLong();
            w.touchedWallMs = in.readLong();
            // version 1 did not know about backlogs: take its last record as one (judged a moment later at worst)
            w.backlogWallMs = version == 1 ? w.touchedWallMs : in.readLong();
            int capacity = in.readInt();
            w.stepWindow = new long[capacity];
            w.stepCount = in.readInt();
            w.stepNext = in.readInt();
            for (int i = 0; i < w.stepCount; i++) {
                w.stepWindow[i] = in.readLong();
            }
            if (version >= 3) {
                w.attemptStartMicros = in.readLong();
                w.attemptStartStep = in.readLong();
                w.warmedUp = in.readBoolean();
                w.warmupSlowSteps = in.readInt();
            } else {
                w.warmedUp = true; // an attempt watched by an older monitor is judged as it was (no warm-up)
            }
            w.slowStreak = in.readInt();
            w.healthyStreak = in.readInt();
            w.stragglerOpen = in.readBoolean();
            w.slowOnsetStep = in.readLong();
            w.slowOnsetMicros = in.readLong();
            w.pendingAttempt = in.readInt();
            w.pendingType = FailureType.valueOf(in.readUTF());
            w.pendingStep = in.readLong();
            w.pendingLastProgressMicros = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                w.verdicts.addLast(in.readUTF());
            }
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
