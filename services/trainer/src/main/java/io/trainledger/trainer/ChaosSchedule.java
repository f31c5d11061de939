package io.trainledger.trainer;

import io.trainledger.events.ChaosSettings;
import io.trainledger.events.FailureType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The seeded fault process of one attempt: exponential inter-arrival times with mean {@code mtbfSeconds} of
 * wall-clock training, each fault's type drawn from the normalised mix. Seeded by (settings seed, attempt) so a
 * chaos run repeats, while a restarted attempt does not replay its predecessor's faults at the same offsets.
 */
public final class ChaosSchedule {
    /** A planned fault: when (nanoseconds of training into the attempt) and what. */
    public record Fault(long atNanos, FailureType type) {
    }

    private final SplittableRandom random;
    private final double meanNanos;
    private final List<FailureType> types = new ArrayList<>();
    private final double[] cumulative;
    private long next;

    public ChaosSchedule(ChaosSettings settings, int attempt) {
        this.random = new SplittableRandom(settings.getSeed() * 1_000_003L + attempt);
        this.meanNanos = settings.getMtbfSeconds() * 1e9;
        Map<String, Double> sorted = new TreeMap<>(settings.getMix());
        double total = sorted.values().stream().mapToDouble(Double::doubleValue).sum();
        this.cumulative = new double[sorted.size()];
        double acc = 0;
        int i = 0;
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
            types.add(FailureType.valueOf(e.getKey()));
            acc += e.getValue() / total;
            cumulative[i++] = acc;
        }
    }

    /** The next fault after the previous one. */
    public Fault next() {
        next += (long) (-Math.log(1 - random.nextDouble()) * meanNanos);
        double u = random.nextDouble();
        for (int i = 0; i < cumulative.length; i++) {
            if (u < cumulative[i]) {
                return new Fault(next, types.get(i));
            }
        }
        return new Fault(next, types.get(types.size() - 1));
    }
}
