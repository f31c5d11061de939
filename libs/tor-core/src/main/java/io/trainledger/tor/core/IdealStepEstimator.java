package io.trainledger.tor.core;

import java.util.Arrays;

/**
 * Streaming robust estimate of the ideal step time: the mean of the healthy step durations lying within
 * median +- 3 x MAD (docs/TOR.md, "t_ideal").
 *
 * <p>Durations go into a sparse log-linear histogram (64 bins per power of two, so a bin is at most 1.6 % wide)
 * that keeps the exact count and exact sum of every bin. Median and MAD are taken over bin means; the final mean is
 * exact over the bins inside the band. Integer-only, so the estimate is bit-for-bit deterministic.
 */
final class IdealStepEstimator {

    private static final int SUB_BITS = 6;

    private int size;
    private int[] bins = new int[8];
    private long[] counts = new long[8];
    private long[] sums = new long[8];
    private int lastIndex = -1;

    /** Bin of a positive duration: exact below 64 ns, then 64 log-linear bins per octave. */
    static int bin(long nanos) {
        if (nanos < (1L << SUB_BITS)) {
            return (int) Math.max(0, nanos);
        }
        int e = 63 - Long.numberOfLeadingZeros(nanos);
        int sub = (int) ((nanos >>> (e - SUB_BITS)) & ((1 << SUB_BITS) - 1));
        return ((e - SUB_BITS + 1) << SUB_BITS) + sub;
    }

    void add(long nanos) {
        if (nanos <= 0) {
            return;
        }
        int b = bin(nanos);
        int i = lastIndex;
        if (i < 0 || bins[i] != b) {
            i = Arrays.binarySearch(bins, 0, size, b);
            if (i < 0) {
                i = insertAt(-i - 1, b);
            }
            lastIndex = i;
        }
        counts[i]++;
        sums[i] += nanos;
    }

    long count() {
        long n = 0;
        for (int i = 0; i < size; i++) {
            n += counts[i];
        }
        return n;
    }

    /** The estimate in nanoseconds, or 0 when no step has been seen. */
    long estimate() {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long[] means = new long[size];
        for (int i = 0; i < size; i++) {
            means[i] = sums[i] / counts[i];
        }
        long median = weightedMedian(means, counts, n);
        long[] dev = new long[size];
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            dev[i] = Math.abs(means[i] - median);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(dev[a], dev[b]));
        long[] sortedDev = new long[size];
        long[] sortedCounts = new long[size];
        for (int i = 0; i < size; i++) {
            sortedDev[i] = dev[order[i]];
            sortedCounts[i] = counts[order[i]];
        }
        long mad = weightedMedian(sortedDev, sortedCounts, n);
        long band = 3 * mad;
        long inCount = 0;
        long inSum = 0;
        for (int i = 0; i < size; i++) {
            if (Math.abs(means[i] - median) <= band) {
                inCount += counts[i];
                inSum += sums[i];
            }
        }
        return (inSum + inCount / 2) / inCount;
    }

    /** Lower weighted median of sorted values. */
    private static long weightedMedian(long[] sortedValues, long[] weights, long total) {
        long half = (total + 1) / 2;
        long acc = 0;
        for (int i = 0; i < sortedValues.length; i++) {
            acc += weights[i];
            if (acc >= half) {
                return sortedValues[i];
            }
        }
        return sortedValues[sortedValues.length - 1];
    }

    private int insertAt(int at, int b) {
        if (size == bins.length) {
            bins = Arrays.copyOf(bins, size * 2);
            counts = Arrays.copyOf(counts, size * 2);
            sums = Arrays.copyOf(sums, size * 2);
        }
        System.arraycopy(bins, at, bins, at + 1, size - at);
        System.arraycopy(counts, at, counts, at + 1, size - at);
        System.arraycopy(sums, at, sums, at + 1, size - at);
        bins[at] = b;
        counts[at] = 0;
        sums[at] = 0;
        size++;
        return at;
    }

    void write(CompactBytes.Writer w) {
        w.writeUnsigned(size);
        int prev = 0;
        for (int i = 0; i < size; i++) {
            w.writeUnsigned(bins[i] - prev);
            prev = bins[i];
            w.writeUnsigned(counts[i]);
            w.writeUnsigned(sums[i]);
        }
    }

    static IdealStepEstimator read(CompactBytes.Reader r) {
        IdealStepEstimator e = new IdealStepEstimator();
        int n = Math.toIntExact(r.readUnsigned());
        int prev = 0;
        for (int i = 0; i < n; i++) {
            int b = prev + Math.toIntExact(r.readUnsigned());
            prev = b;
            int at = e.insertAt(e.size, b);
            e.counts[at] = r.readUnsigned();
            e.sums[at] = r.readUnsigned();
        }
        return e;
    }

    IdealStepEstimator copy() {
        IdealStepEstimator e = new IdealStepEstimator();
        e.size = size;
        e.bins = bins.clone();
        e.counts = counts.clone();
        e.sums = sums.clone();
        return e;
    }
}
