package io.trainledger.tor.core;

/**
 * The preserved lineage of a {@link TorLedger}: steps 1..{@link #head()} that survive every rollback so far, their
 * cumulative step time, and a ring of the cumulative time at each of the last {@link #RING} steps (so that a verdict
 * or a rollback can price the newest steps exactly). Below the ring (and its floor, the step a rollback or a restore
 * left it at) the cumulative time at a step comes from a checkpoint mark if there is one, else from the average step
 * time: a documented approximation (docs/TOR.md).
 */
final class StepLineage {
    static final int RING = 32;
    private static final long UNSET = TorLedger.UNSET;

    private long head;
    private long cumNanos;
    private long floor;
    private long floorCum;
    private final long[] ring = new long[RING];

    /** Newest preserved step. */
    long head() {
        return head;
    }

    /** Cumulative step time of the preserved steps. */
    long cumNanos() {
        return cumNanos;
    }

    /** Step {@code step} (above the head) took {@code d} ns; steps skipped in between carry no time. */
    void append(long step, long d) {
        for (long g = head + 1; g < step && g > step - RING; g++) {
            ring[(int) (g & (RING - 1))] = cumNanos;
        }
        head = step;
        cumNanos += d;
        ring[(int) (step & (RING - 1))] = cumNanos;
    }

    /** A restore from step {@code r} above the head, which this ledger never saw: progress without known time. */
    void jumpTo(long r) {
        head = r;
        floor = r;
        floorCum = cumNanos;
    }

    /** Cuts the lineage back to step {@code r}, whose cumulative time is {@code cumR}. */
    void truncate(long r, long cumR) {
        head = r;
        cumNanos = cumR;
        floor = r;
        floorCum = cumR;
    }

    /** Cumulative preserved step time at step s (s <= head). Exact within the ring, from a mark or interpolated beyond. */
    long cumAt(long s, CheckpointMarks marks) {
        if (s >= head) {
            return cumNanos;
        }
        if (s <= 0) {
            return 0;
        }
        if (s == floor) {
            return floorCum;
        }
        if (s > floor && s > head - RING) {
            return ring[(int) (s & (RING - 1))];
        }
        int i = marks.find(s);
        if (i >= 0) {
            return marks.cum(i);
        }
        return cumNanos / head * s; // beyond what is kept: average step time (documented approximation)
    }

    /** The lowest step whose cumulative time is known exactly from the ring (or the floor). */
    long lowestKnown() {
        return Math.max(floor, head - RING + 1);
    }

    void write(CompactBytes.Writer w) {
        w.writeLong(head).writeLong(cumNanos).writeLong(floor).writeLong(floorCum);
        long lo = Math.max(floor + 1, head - RING + 1);
        long prev = lo - 1 == floor ? floorCum : UNSET;
        for (long s = lo; s <= head; s++) {
            long v = ring[(int) (s & (RING - 1))];
            // cumulative values grow: store step times (small), the first one absolute
            w.writeLong(prev == UNSET ? v : v - prev);
            prev = v;
        }
    }

    static StepLineage read(CompactBytes.Reader r) {
        StepLineage l = new StepLineage();
        l.head = r.readLong();
        l.cumNanos = r.readLong();
        l.floor = r.readLong();
        l.floorCum = r.readLong();
        long lo = Math.max(l.floor + 1, l.head - RING + 1);
        long prev = lo - 1 == l.floor ? l.floorCum : UNSET;
        for (long s = lo; s <= l.head; s++) {
            long d = r.readLong();
            long v = prev == UNSET ? d : prev + d;
            l.ring[(int) (s & (RING - 1))] = v;
            prev = v;
        }
        return l;
    }
}
