package io.trainledger.tor.core;

import java.util.Arrays;

/**
 * The checkpoint marks of a {@link TorLedger}: for each snapshot still relevant, its step and the lineage's state at
 * that step (cumulative preserved step time, straggler time and steps), so that a rollback to it restores those
 * quantities exactly. A mark becomes a restore point once committed and never is once rejected. Kept in step order,
 * one mark per step, as parallel arrays (the fold touches them on every snapshot and commit).
 */
final class CheckpointMarks {
    static final byte COMMITTED = 1;
    static final byte REJECTED = 2;

    private int count;
    private long[] step = new long[4];
    private long[] cum = new long[4];
    private long[] stragNanos = new long[4];
    private long[] stragSteps = new long[4];
    private byte[] flags = new byte[4];

    int size() {
        return count;
    }

    long step(int i) {
        return step[i];
    }

    long cum(int i) {
        return cum[i];
    }

    long stragNanos(int i) {
        return stragNanos[i];
    }

    long stragSteps(int i) {
        return stragSteps[i];
    }

    /** Neither committed nor rejected yet. */
    boolean pending(int i) {
        return flags[i] == 0;
    }

    boolean committed(int i) {
        return (flags[i] & COMMITTED) != 0;
    }

    boolean rejected(int i) {
        return (flags[i] & REJECTED) != 0;
    }

    void commit(int i) {
        flags[i] = COMMITTED;
    }

    void reject(int i) {
        flags[i] |= REJECTED;
    }

    /** Index of the mark at {@code s}, or -1. */
    int find(long s) {
        for (int i = count - 1; i >= 0; i--) {
            if (step[i] == s) {
                return i;
            }
        }
        return -1;
    }

    /** Inserts an uncommitted mark at its place in step order (the caller has checked there is none at {@code s}). */
    int insert(long s, long cumNanos, long slowNanos, long slowSteps) {
        grow();
        int at = count;
        while (at > 0 && step[at - 1] > s) {
            at--;
        }
        int tail = count - at;
        System.arraycopy(step, at, step, at + 1, tail);
        System.arraycopy(cum, at, cum, at + 1, tail);
        System.arraycopy(stragNanos, at, stragNanos, at + 1, tail);
        System.arraycopy(stragSteps, at, stragSteps, at + 1, tail);
        System.arraycopy(flags, at, flags, at + 1, tail);
        set(at, s, cumNanos, slowNanos, slowSteps, (byte) 0);
        count++;
        return at;
    }

    boolean remove(long s) {
        int i = find(s);
        if (i < 0) {
            return false;
        }
        deleteAt(i);
        return true;
    }

    /** Drops the marks after step {@code r} (rolled-back work). */
    void dropAfter(long r) {
        for (int j = count - 1; j >= 0; j--) {
            if (step[j] > r) {
                deleteAt(j);
            }
        }
    }

    /**
     * After a commit at step {@code c}: an older snapshot that is still uncommitted never will be (commits arrive in
     * step order), and an older rejected one no longer matters; then at most {@code max} marks are kept, the newest.
     */
    void settleBelow(long c, int max) {
        for (int j = count - 1; j >= 0; j--) {
            if (step[j] < c && !committed(j)) {
                deleteAt(j);
            }
        }
        while (count > max) {
            deleteAt(0);
        }
    }

    /**
     * Cumulative step time at the newest rejected mark in (r, head], or 0 when there is none: had that checkpoint been
     * good, a restore would have reached it.
     */
    long cumOfNewestRejected(long r, long head) {
        for (int j = count - 1; j >= 0; j--) {
            if (step[j] <= r) {
                break;
            }
            if (rejected(j) && step[j] <= head) {
                return cum[j];
            }
        }
        return 0;
    }

    void write(CompactBytes.Writer w) {
        w.writeUnsigned(count);
        for (int i = 0; i < count; i++) {
            w.writeLong(step[i]).writeLong(cum[i]).writeLong(stragNanos[i]).writeLong(stragSteps[i]).writeByte(flags[i]);
        }
    }

    /** Reads what {@link #write} wrote (marks in step order, as written). */
    static CheckpointMarks read(CompactBytes.Reader r) {
        CheckpointMarks m = new CheckpointMarks();
        int n = Math.toIntExact(r.readUnsigned());
        for (int i = 0; i < n; i++) {
            long s = r.readLong();
            long c = r.readLong();
            long sn = r.readLong();
            long ss = r.readLong();
            byte f = (byte) r.readByte();
            m.grow();
            m.set(m.count++, s, c, sn, ss, f);
        }
        return m;
    }

    private void set(int i, long s, long cumNanos, long slowNanos, long slowSteps, byte f) {
        step[i] = s;
        cum[i] = cumNanos;
        stragNanos[i] = slowNanos;
        stragSteps[i] = slowSteps;
        flags[i] = f;
    }

    private void deleteAt(int i) {
        int tail = count - i - 1;
        System.arraycopy(step, i + 1, step, i, tail);
        System.arraycopy(cum, i + 1, cum, i, tail);
        System.arraycopy(stragNanos, i + 1, stragNanos, i, tail);
        System.arraycopy(stragSteps, i + 1, stragSteps, i, tail);
        System.arraycopy(flags, i + 1, flags, i, tail);
        count--;
    }

    private void grow() {
        if (count == step.length) {
            int n = count * 2;
            step = Arrays.copyOf(step, n);
            cum = Arrays.copyOf(cum, n);
            stragNanos = Arrays.copyOf(stragNanos, n);
            stragSteps = Arrays.copyOf(stragSteps, n);
            flags = Arrays.copyOf(flags, n);
        }
    }
}
