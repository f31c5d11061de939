package io.trainledger.tor.core.detection;

import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Scores failure verdicts against chaos ground truth in a ledger (pure: a list of {@link RunEvent}s in, numbers out;
 * no Kafka). Per run and per type, each verdict ({@code FailureDetected.detectedTime}, taken in time order) answers
 * the latest not yet answered fault of its type ({@code FaultInjected.plannedAt}) planned at most {@code lead} after
 * the verdict (clock skew between trainer and monitor) and at most {@code window} before it. Matched pairs are true
 * positives with latency detectedTime - plannedAt (0 when the verdict is inside the lead); unmatched faults are
 * misses; unmatched verdicts are false alarms, and those among them that fall within the window of a fault already
 * answered are also counted as duplicates (the same failure detected twice). Events are deduplicated by
 * {@code eventId} (a redelivered record is not a second verdict).
 *
 * <p>The overall score covers the types with ground truth (at least one FaultInjected of that type in the ledger):
 * a verdict of a type chaos never injects (a CHECKPOINT_CORRUPT from a real rejection) is neither right nor wrong by
 * this measure, and is reported in its own row only.
 */
public final class DetectionScore {

    private final Duration lead;
    private final Duration window;

    /**
     * @param lead how long before the fault's plannedAt a verdict may be (clock skew between trainer and monitor)
     * @param window the longest latency that still counts as detecting that fault
     */
    public DetectionScore(Duration lead, Duration window) {
        this.lead = Objects.requireNonNull(lead, "lead");
        this.window = Objects.requireNonNull(window, "window");
        if (lead.isNegative() || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("lead must be >= 0 and window > 0, got " + lead + ", " + window);
        }
    }

    /** 1 s lead, 120 s window: longer than any default detection threshold (hang floor 10 s, crash timeout 5 s). */
    public static DetectionScore defaults() {
        return new DetectionScore(Duration.ofSeconds(1), Duration.ofSeconds(120));
    }

    /** Scores the events of one or many runs (any order; events other than faults and verdicts are ignored). */
    public DetectionReport score(Iterable<RunEvent> ledger) {
        Map<String, Map<FailureType, List<Instant>>> faults = new LinkedHashMap<>();
        Map<String, Map<FailureType, List<Instant>>> verdicts = new LinkedHashMap<>();
        Set<Object> seen = new HashSet<>();
        for (RunEvent e : ledger) {
            if (!seen.add(e.getEventId())) {
                continue;
            }
            if (e.getPayload() instanceof FaultInjected f) {
                add(faults, e.getRunId(), f.getType(), f.getPlannedAt());
            } else if (e.getPayload() instanceof FailureDetected d) {
                add(verdicts, e.getRunId(), d.getType(), d.getDetectedTime());
            }
        }
        Set<FailureType> withTruth = EnumSet.noneOf(FailureType.class);
        faults.values().forEach(m -> withTruth.addAll(m.keySet()));
        Map<FailureType, Tally> tallies = new EnumMap<>(FailureType.class);
        Set<String> runs = new HashSet<>(faults.keySet());
        runs.addAll(verdicts.keySet());
        for (String run : runs) {
            Map<FailureType, List<Instant>> f = faults.getOrDefault(run, Map.of());
            Map<FailureType, List<Instant>> v = verdicts.getOrDefault(run, Map.of());
            Set<FailureType> types = EnumSet.noneOf(FailureType.class);
            types.addAll(f.keySet());
            types.addAll(v.keySet());
            for (FailureType type : types) {
                match(sorted(f.getOrDefault(type, List.of())), sorted(v.getOrDefault(type, List.of())),
                        tallies.computeIfAbsent(type, t -> new Tally()));
            }
        }
        Map<FailureType, TypeScore> byType = new EnumMap<>(FailureType.class);
        Tally all = new Tally();
        tallies.forEach((type, t) -> {
            byType.put(type, t.score(type));
            if (withTruth.contains(type)) {
                all.addAll(t);
            }
        });
        return new DetectionReport(byType, all.score(null), runs.size());
    }

    /** Matches one run's verdicts of one type to its faults of that type (both sorted by time). */
    private void match(List<Instant> planned, List<Instant> detected, Tally tally) {
        tally.injected += planned.size();
        tally.detected += detected.size();
        boolean[] used = new boolean[planned.size()];
        for (Instant d : detected) {
            // a verdict answers the latest fault not yet answered that it can belong to
            int match = -1;
            boolean answeredInWindow = false;
            for (int i = 0; i < planned.size(); i++) {
                Instant p = planned.get(i);
                if (p.minus(lead).isAfter(d)) {
                    break; // this fault and every later one are still in the verdict's future
                }
                if (!d.isAfter(p.plus(window))) {
                    if (used[i]) {
                        answeredInWindow = true;
                    } else {
                        match = i;
                    }
                }
            }
            if (match >= 0) {
                used[match] = true;
                tally.truePositives++;
                Duration latency = Duration.between(planned.get(match), d);
                tally.latencies.add(latency.isNegative() ? Duration.ZERO : latency);
            } else if (answeredInWindow) {
                tally.duplicates++;
            }
        }
    }

    private static final class Tally {
        int injected;
        int detected;
        int truePositives;
        int duplicates;
        final List<Duration> latencies = new ArrayList<>();

        void addAll(Tally t) {
            injected += t.injected;
            detected += t.detected;
            truePositives += t.truePositives;
            duplicates += t.duplicates;
            latencies.addAll(t.latencies);
        }

        TypeScore score(FailureType type) {
            return new TypeScore(type, injected, detected, truePositives, duplicates, latencies);
        }
    }

    private static void add(Map<String, Map<FailureType, List<Instant>>> into, String run, FailureType type,
                            Instant t) {
        into.computeIfAbsent(run, r -> new EnumMap<>(FailureType.class))
                .computeIfAbsent(type, k -> new ArrayList<>()).add(t);
    }

    private static List<Instant> sorted(List<Instant> times) {
        List<Instant> copy = new ArrayList<>(times);
        copy.sort(Comparator.naturalOrder());
        return copy;
    }
}
