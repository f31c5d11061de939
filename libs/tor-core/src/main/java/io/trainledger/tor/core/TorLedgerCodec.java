package io.trainledger.tor.core;

import io.trainledger.tor.RunStatus;

import static io.trainledger.tor.core.TorLedger.A_COLS;
import static io.trainledger.tor.core.TorLedger.RECENT_IDS;
import static io.trainledger.tor.core.TorLedger.STATE_VERSION;

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
        l.windows.writeSeconds(w);
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
        l.lineage.write(w);
        w.writeLong(l.stragKeyAttempt).writeLong(l.stragKeyMicros).writeLong(l.stragOnsetStep).writeLong(l.stragNanos).writeLong(l.stragSteps);
        l.marks.write(w);
        w.writeLong(l.lastSnapAttempt).writeLong(l.lastSnapStep).writeLong(l.lastSnapEndMicros).writeLong(l.snapshotCount).writeLong(l.snapshotIntervalSteps)
                .writeLong(l.prevSnapStep);
        w.writeLong(l.lastFaultPlannedMicros).writeLong(l.lastEvalAttempt).writeLong(l.lastEvalStep).writeLong(l.lastRecoveryAttempt);
        w.writeUnsigned(l.recentPos);
        for (long id : l.recentIds) {
            w.writeLong(id);
        }
        l.windows.writeSlots(w);
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
        TorLedger l = new TorLedger(StepWindows.readSeconds(r));
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
        l.lineage = StepLineage.read(r);
        l.stragKeyAttempt = r.readInt();
        l.stragKeyMicros = r.readLong();
        l.stragOnsetStep = r.readLong();
        l.stragNanos = r.readLong();
        l.stragSteps = r.readLong();
        l.marks = CheckpointMarks.read(r);
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
        l.windows.readSlots(r);
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
