package io.trainledger.monitor;

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
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scores the monitor's verdicts against chaos ground truth in a ledger. Per run and per type, each verdict
 * ({@code FailureDetected.detectedTime}) answers the latest not yet answered fault of its type
 * ({@code FaultInjected.plannedAt}) planned at most {@code lead} after the verdict and at most {@code window} before
 * it. Matched pairs are true positives with latency detectedTime - plannedAt; unmatched
 * faults are misses, unmatched verdicts false alarms. Events are deduplicated by {@code eventId}.
 *
 * <p>Precision and recall are given per type; the overall row covers the types with ground truth (at least one
 * FaultInjected of that type in the ledger), since a verdict of a type chaos never injects (CHECKPOINT_CORRUPT from a
 * real rejection) is neither right nor wrong by this measure.
 */
public final class DetectionScore {

    /** Score of one failure type (or of all scored types: {@code type} null). */
    public record TypeScore(FailureType type, int injected, int detected, int truePositives,
                            List<Duration> latencies) {
        public int missed() {
            return injected - truePositives;
        }

        public int falseAlarms() {
            return detected - truePositives;
        }

        /** TP / detected; NaN with no verdicts. */
        public double precision() {
            return detected == 0 ? Double.NaN : (double) truePositives / detected;
        }

        /** TP / injected; NaN with no faults. */
        public double recall() {
            return injected == 0 ? Double.NaN : (double) truePositives / injected;
        }

        /** Nearest-rank percentile of the detection latency ({@code q} in (0, 1]), or null without matches. */
        public Duration latency(double q) {
            if (latencies.isEmpty()) {
                return null;
            }
            List<Duration> sorted = new ArrayList<>(latencies);
            sorted.sort(Comparator.naturalOrder());
            int rank = (int) Math.ceil(q * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
        }
    }

    /** The scores of a ledger: per type (types that occur), and overall over the types with ground truth. */
    public record Report(Map<FailureType, TypeScore> byType, TypeScore overall, int runs) {
        /** A fixed-width table, one row per type plus the overall row. */
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "detection score over %d run(s)%n", runs));
            sb.append(String.format(Locale.ROOT, "%-19s %8s %8s %5s %6s %6s %9s %7s %9s %9s%n", "type", "injected",
                    "detected", "tp", "missed", "false", "precision", "recall", "p50 s", "p95 s"));
            byType.values().forEach(s -> row(sb, s.type().name(), s));
            row(sb, "ALL (with truth)", overall);
            return sb.toString();
        }

        private static void row(StringBuilder sb, String name, TypeScore s) {
            sb.append(String.format(Locale.ROOT, "%-19s %8d %8d %5d %6d %6d %9s %7s %9s %9s%n", name, s.injected(),
                    s.detected(), s.truePositives(), s.missed(), s.falseAlarms(), ratio(s.precision()),
                    ratio(s.recall()), seconds(s.latency(0.50)), seconds(s.latency(0.95))));
        }

        private static String ratio(double r) {
            return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
        }

        private static String seconds(Duration d) {
            return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
        }
    }

    private final Duration lead;
    private final Duration window;

    /**
     * @param lead how long before the fault's plannedAt a verdict may be (clock skew between trainer and monitor)
     * @param window the longest latency that still counts as detecting that fault
     */
    public DetectionScore(Duration lead, Duration window) {
        this.lead = lead;
        this.window = window;
    }

    /** 1 s lead, 120 s window: longer than any default threshold (hang floor 10 s, crash timeout 5 s). */
    public static DetectionScore defaults() {
        return new DetectionScore(Duration.ofSeconds(1), Duration.ofSeconds(120));
    }

    /** Scores the events of one or many runs (any order). */
    public Report score(Iterable<RunEvent> ledger) {
        Map<String, Map<FailureType, List<Instant>>> faults = new LinkedHashMap<>();
        Map<String, Map<FailureType, List<Instant>>> verdicts = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (RunEvent e : ledger) {
            if (!seen.add(e.getEventId().toString())) {
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
        Map<FailureType, int[]> counts = new EnumMap<>(FailureType.class); // injected, detected, tp
        Map<FailureType, List<Duration>> latencies = new EnumMap<>(FailureType.class);
        Set<String> runs = new HashSet<>(faults.keySet());
        runs.addAll(verdicts.keySet());
        for (String run : runs) {
            Map<FailureType, List<Instant>> f = faults.getOrDefault(run, Map.of());
            Map<FailureType, List<Instant>> v = verdicts.getOrDefault(run, Map.of());
            Set<FailureType> types = EnumSet.noneOf(FailureType.class);
            types.addAll(f.keySet());
            types.addAll(v.keySet());
            for (FailureType type : types) {
                List<Instant> planned = sorted(f.getOrDefault(type, List.of()));
                List<Instant> detected = sorted(v.getOrDefault(type, List.of()));
                int[] c = counts.computeIfAbsent(type, t -> new int[3]);
                c[0] += planned.size();
                c[1] += detected.size();
                boolean[] used = new boolean[planned.size()];
                for (Instant d : detected) {
                    // a verdict answers the latest fault not yet answered that it can belong to
                    int match = -1;
                    for (int i = 0; i < planned.size(); i++) {
                        Instant p = planned.get(i);
                        if (p.minus(lead).isAfter(d)) {
                            break;
                        }
                        if (!used[i] && !d.isAfter(p.plus(window))) {
                            match = i;
                        }
                    }
                    if (match >= 0) {
                        used[match] = true;
                        c[2]++;
                        Duration latency = Duration.between(planned.get(match), d);
                        latencies.computeIfAbsent(type, t -> new ArrayList<>())
                                .add(latency.isNegative() ? Duration.ZERO : latency);
                    }
                }
            }
        }
        Map<FailureType, TypeScore> byType = new EnumMap<>(FailureType.class);
        int[] all = new int[3];
        List<Duration> allLatencies = new ArrayList<>();
        counts.forEach((type, c) -> {
            List<Duration> l = List.copyOf(latencies.getOrDefault(type, List.of()));
            byType.put(type, new TypeScore(type, c[0], c[1], c[2], l));
            if (withTruth.contains(type)) {
                for (int i = 0; i < 3; i++) {
                    all[i] += c[i];
                }
                allLatencies.addAll(l);
            }
        });
        return new Report(byType, new TypeScore(null, all[0], all[1], all[2], List.copyOf(allLatencies)),
                runs.size());
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
