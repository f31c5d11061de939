package io.trainledger.tor.core;

/**
 * The sliding windows of a {@link TorLedger} ("TOR over the last hour"): per window, how many preserved steps ended in
 * each of its {@link #SLOTS} slots of run time (window / 60 each), as a ring over the newest slots. A rollback takes
 * its lost steps off the newest slots, so a window's T_opt = its steps x t_ideal counts preserved work only.
 */
final class StepWindows {
    static final int SLOTS = 60;

    private final long[] seconds;
    private final long[] slotNanos;
    private final long[][] counts;
    private final long[] lastSlot;

    /** Windows of the given lengths in seconds, each a positive multiple of {@link #SLOTS}. */
    StepWindows(long[] windowSeconds) {
        this.seconds = windowSeconds.clone();
        this.slotNanos = new long[seconds.length];
        this.counts = new long[seconds.length][SLOTS];
        this.lastSlot = new long[seconds.length];
        for (int w = 0; w < seconds.length; w++) {
            if (seconds[w] <= 0 || seconds[w] % SLOTS != 0) {
                throw new IllegalArgumentException("window must be a positive multiple of " + SLOTS + " s, got " + seconds[w]);
            }
            slotNanos[w] = seconds[w] / SLOTS * 1_000_000_000L;
            lastSlot[w] = -1;
        }
    }

    /** The windows' lengths in seconds (a copy). */
    long[] seconds() {
        return seconds.clone();
    }

    int size() {
        return seconds.length;
    }

    /** A preserved step ended at run time {@code relNanos} (negative: before the run's origin, counted at 0). */
    void addStep(long relNanos) {
        for (int w = 0; w < seconds.length; w++) {
            addToSlot(w, relNanos < 0 ? 0 : relNanos / slotNanos[w]);
        }
    }

    /** Lost steps are the newest of the lineage: takes {@code n} of them off the newest slots first. */
    void removeNewest(long n) {
        for (int w = 0; w < seconds.length; w++) {
            long[] c = counts[w];
            long left = n;
            for (long k = lastSlot[w]; k > lastSlot[w] - SLOTS && k >= 0 && left > 0; k--) {
                int i = (int) (k % SLOTS);
                long take = Math.min(left, c[i]);
                c[i] -= take;
                left -= take;
            }
        }
    }

    /** Start of window {@code w} as of run time {@code tObs}: the first slot it covers, in run-time nanos (may be < 0). */
    long startNanos(int w, long tObs) {
        return (tObs / slotNanos[w] - SLOTS + 1) * slotNanos[w];
    }

    /** Preserved steps that ended within window {@code w} as of run time {@code tObs}. */
    long steps(int w, long tObs) {
        long cur = tObs / slotNanos[w];
        long first = cur - SLOTS + 1;
        long steps = 0;
        for (long k = Math.max(first, Math.max(0, lastSlot[w] - SLOTS + 1)); k <= Math.min(cur, lastSlot[w]); k++) {
            steps += counts[w][(int) (k % SLOTS)];
        }
        return steps;
    }

    /** Writes the lengths (they come first in the ledger's state, the slots later: {@link #writeSlots}). */
    void writeSeconds(CompactBytes.Writer w) {
        w.writeUnsigned(seconds.length);
        for (long ws : seconds) {
            w.writeUnsigned(ws);
        }
    }

    static long[] readSeconds(CompactBytes.Reader r) {
        long[] windows = new long[Math.toIntExact(r.readUnsigned())];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = r.readUnsigned();
        }
        return windows;
    }

    void writeSlots(CompactBytes.Writer w) {
        for (int i = 0; i < seconds.length; i++) {
            w.writeLong(lastSlot[i]);
            for (long k = Math.max(0, lastSlot[i] - SLOTS + 1); k <= lastSlot[i]; k++) {
                w.writeUnsigned(counts[i][(int) (k % SLOTS)]);
            }
        }
    }

    void readSlots(CompactBytes.Reader r) {
        for (int i = 0; i < seconds.length; i++) {
            lastSlot[i] = r.readLong();
            for (long k = Math.max(0, lastSlot[i] - SLOTS + 1); k <= lastSlot[i]; k++) {
                counts[i][(int) (k % SLOTS)] = r.readUnsigned();
            }
        }
    }

    private void addToSlot(int w, long slot) {
        long[] c = counts[w];
        if (slot > lastSlot[w]) {
            long from = Math.max(lastSlot[w] + 1, slot - SLOTS + 1);
            for (long k = from; k <= slot; k++) {
                c[(int) (k % SLOTS)] = 0;
            }
            lastSlot[w] = slot;
        } else if (slot <= lastSlot[w] - SLOTS) {
            return;
        }
        c[(int) (slot % SLOTS)]++;
    }
}
