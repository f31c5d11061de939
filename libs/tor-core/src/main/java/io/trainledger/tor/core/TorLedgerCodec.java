package io.trainledger.tor.core;

import io.trainledger.tor.RunStatus;

import java.util.Arrays;

import static io.trainledger.tor.core.TorLedger.A_COLS;
import static io.trainledger.tor.core.TorLedger.RECENT_IDS;
import static io.trainledger.tor.core.TorLedger.RING;
import static io.trainledger.tor.core.TorLedger.SLOTS;
import static io.trainledger.tor.core.TorLedger.STATE_VERSION;
import static io.trainledger.tor.core.TorLedger.UNSET;

/**
 * The binary form of a {@link TorLedger}'s state (docs/TOR.md, "State"): a versioned varint encoding for a Kafka Streams
 * store. Kept apart from the fold so the fold reads as accounting; it sees the ledger's package-private fields.
 * Version 2 added the INFRA decision; version 1 states are still read.
 */
final class TorLedgerCodec {
    private static final RunStatus[] STATUSES = RunStatus.values();

    private TorLedgerCodec() {
    }

    static byte[] write(TorLedger l) {
        CompactBytes.Writer w = new CompactBytes.Writer();
        w.writeByte(STATE_VERSION);
        w.writeString(l.runId);
        w.writeUnsigned(l.windowSeconds.length);
        for (long ws : l.windowSeconds) {
            w.writeUnsigned(ws);
        }
        w.writeByte((l.submitted ? 1 : 0) | (l.stragOpen ? 2 : 0));
        w.writeLong(l.originMicros).writeLong(l.asOfMicros).writeLong(l.endMicros);
        w.writeUnsigned(l.status.ordinal());
        w.writeLong(l.configuredIdealNanos).writeLong(l.eventsFolded).writeLong(l.executedSteps);
        w.writeLong(l.currentAttempt).writeLong(l.queuedNanos).writeLong(l.initNanos).writeLong(l.restoreNanos)
                .writeLong(l.stallNanos).writeLong(l.wastedNanos).writeLong(l.detectionNanos).writeLong(l.restartNanos);
        w.writeLong(l.pendingType).writeLong(l.pendingDetectedMicros).writeLong(l.lastFailedAttempt).writeLong(l.lastFailedStep);
        int nonZero = 0;
        for (long[] row : l.attr) {
            for (long v : row) {
                nonZero += v != 0 ? 1 : 0;
            }
        }
        w.writeUnsigned(nonZero);
        for (int i = 0; i < l.attr.length; i++) {
            for (int j = 0; j < A_COLS; j++) {
                if (l.attr[i][j] != 0) {
                    w.writeUnsigned(i * A_COLS + j).writeLong(l.attr[i][j]);
                }
            }
        }
        w.writeLong(l.head).writeLong(l.cumNanos).writeLong(l.ringFloor).writeLong(l.ringFloorCum);
        long lo = Math.max(l.ringFloor + 1, l.head - RING + 1);
        long prev = lo - 1 == l.ringFloor ? l.ringFloorCum : UNSET;
        for (long s = lo; s <= l.head; s++) {
            long v = l.ring[(int) (s & (RING - 1))];
            // cumulative values grow: store step times (small), the first one absolute
            w.writeLong(prev == UNSET ? v : v - prev);
            prev = v;
        }
        w.writeLong(l.stragKeyAttempt).writeLong(l.stragKeyMicros).writeLong(l.stragOnsetStep).writeLong(l.stragNanos).writeLong(l.stragSteps);
        w.writeUnsigned(l.markCount);
        for (int i = 0; i < l.markCount; i++) {
            w.writeLong(l.markStep[i]).writeLong(l.markCum[i]).writeLong(l.markStragNanos[i]).writeLong(l.markStragSteps[i])
                    .writeByte(l.markFlags[i]);
        }
        w.writeLong(l.lastSnapAttempt).writeLong(l.lastSnapStep).writeLong(l.lastSnapEndMicros).writeLong(l.snapshotCount).writeLong(l.snapshotIntervalSteps)
                .writeLong(l.prevSnapStep);
        w.writeLong(l.lastFaultPlannedMicros).writeLong(l.lastEvalAttempt).writeLong(l.lastEvalStep).writeLong(l.lastRecoveryAttempt);
        w.writeUnsigned(l.recentPos);
        for (long id : l.recentIds) {
            w.writeLong(id);
        }
        for (int i = 0; i < l.windowSeconds.length; i++) {
            w.writeLong(l.lastSlot[i]);
            for (long k = Math.max(0, l.lastSlot[i] - SLOTS + 1); k <= l.lastSlot[i]; k++) {
                w.writeUnsigned(l.slotCounts[i][(int) (k % SLOTS)]);
            }
        }
        l.ideal.write(w);
        w.writeLong(l.infraKeyAttempt).writeLong(l.infraKeyMicros).writeByte(l.infraOpen ? 1 : 0).writeLong(l.infraStep)
                .writeLong(l.infraLastProgressMicros).writeLong(l.infraDetectedMicros);
        return w.toByteArray();
    }

    static TorLedger read(byte[] bytes) {
        CompactBytes.Reader r = new CompactBytes.Reader(bytes);
        int version = r.readByte();
        if (version != STATE_VERSION && version != 1) {
            throw new IllegalArgumentException("unsupported TorLedger state version " + version + " (this reader knows " + STATE_VERSION + ")");
        }
        String runId = r.readString();
        long[] windows = new long[Math.toIntExact(r.readUnsigned())];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = r.readUnsigned();
        }
        TorLedger l = new TorLedger(windows);
        l.runId = runId;
        int flags = r.readByte();
        l.submitted = (flags & 1) != 0;
        l.stragOpen = (flags & 2) != 0;
        l.originMicros = r.readLong();
        l.asOfMicros = r.readLong();
        l.endMicros = r.readLong();
        l.status = STATUSES[Math.toIntExact(r.readUnsigned())];
        l.configuredIdealNanos = r.readLong();
        l.eventsFolded = r.readLong();
        l.executedSteps = r.readLong();
        l.currentAttempt = r.readInt();
        l.queuedNanos = r.readLong();
        l.initNanos = r.readLong();
        l.restoreNanos = r.readLong();
        l.stallNanos = r.readLong();
        l.wastedNanos = r.readLong();
        l.detectionNanos = r.readLong();
        l.restartNanos = r.readLong();
        l.pendingType = r.readInt();
        l.pendingDetectedMicros = r.readLong();
        l.lastFailedAttempt = r.readInt();
        l.lastFailedStep = r.readLong();
        int nonZero = Math.toIntExact(r.readUnsigned());
        for (int k = 0; k < nonZero; k++) {
            int idx = Math.toIntExact(r.readUnsigned());
            l.attr[idx / A_COLS][idx % A_COLS] = r.readLong();
        }
        l.head = r.readLong();
        l.cumNanos = r.readLong();
        l.ringFloor = r.readLong();
        l.ringFloorCum = r.readLong();
        long lo = Math.max(l.ringFloor + 1, l.head - RING + 1);
        long prev = lo - 1 == l.ringFloor ? l.ringFloorCum : UNSET;
        for (long s = lo; s <= l.head; s++) {
            long d = r.readLong();
            long v = prev == UNSET ? d : prev + d;
            l.ring[(int) (s & (RING - 1))] = v;
            prev = v;
        }
        l.stragKeyAttempt = r.readInt();
        l.stragKeyMicros = r.readLong();
        l.stragOnsetStep = r.readLong();
        l.stragNanos = r.readLong();
        l.stragSteps = r.readLong();
        int marks = Math.toIntExact(r.readUnsigned());
        for (int i = 0; i < marks; i++) {
            long step = r.readLong();
            long cum = r.readLong();
            long sn = r.readLong();
            long ss = r.readLong();
            byte markFlag = (byte) r.readByte();
            int at = l.markCount;
            if (at == l.markStep.length) {
                l.markStep = Arrays.copyOf(l.markStep, at * 2);
                l.markCum = Arrays.copyOf(l.markCum, at * 2);
                l.markStragNanos = Arrays.copyOf(l.markStragNanos, at * 2);
                l.markStragSteps = Arrays.copyOf(l.markStragSteps, at * 2);
                l.markFlags = Arrays.copyOf(l.markFlags, at * 2);
            }
            l.markStep[at] = step;
            l.markCum[at] = cum;
            l.markStragNanos[at] = sn;
            l.markStragSteps[at] = ss;
            l.markFlags[at] = markFlag;
            l.markCount++;
        }
        l.lastSnapAttempt = r.readInt();
        l.lastSnapStep = r.readLong();
        l.lastSnapEndMicros = r.readLong();
        l.snapshotCount = r.readLong();
        l.snapshotIntervalSteps = r.readLong();
        l.prevSnapStep = r.readLong();
        l.lastFaultPlannedMicros = r.readLong();
        l.lastEvalAttempt = r.readInt();
        l.lastEvalStep = r.readLong();
        l.lastRecoveryAttempt = r.readInt();
        l.recentPos = Math.toIntExact(r.readUnsigned());
        for (int i = 0; i < RECENT_IDS; i++) {
            l.recentIds[i] = r.readLong();
        }
        for (int i = 0; i < windows.length; i++) {
            l.lastSlot[i] = r.readLong();
            for (long k = Math.max(0, l.lastSlot[i] - SLOTS + 1); k <= l.lastSlot[i]; k++) {
                l.slotCounts[i][(int) (k % SLOTS)] = r.readUnsigned();
            }
        }
        l.ideal = IdealStepEstimator.read(r);
        if (version >= 2) {
            l.infraKeyAttempt = r.readInt();
            l.infraKeyMicros = r.readLong();
            l.infraOpen = r.readByte() != 0;
            l.infraStep = r.readLong();
            l.infraLastProgressMicros = r.readLong();
            l.infraDetectedMicros = r.readLong();
        } else {
            // version 1 folded INFRA as a rollback failure keyed by failed attempt
            l.infraKeyAttempt = l.lastFailedAttempt;
            l.infraKeyMicros = Long.MAX_VALUE;
        }
        if (!r.atEnd()) {
            throw new IllegalArgumentException("trailing bytes after TorLedger state");
        }
        return l;
    }
}
