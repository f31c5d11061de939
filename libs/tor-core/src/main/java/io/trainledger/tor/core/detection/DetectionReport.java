package io.trainledger.tor.core.detection;

import io.trainledger.events.FailureType;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The detection score of a ledger: one {@link TypeScore} per failure type that occurs (as a fault or as a verdict),
 * and the overall score over the types with ground truth (at least one {@code FaultInjected} of that type).
 *
 * @param runs distinct runs that had a fault or a verdict
 */
public record DetectionReport(Map<FailureType, TypeScore> byType, TypeScore overall, int runs) {

    public DetectionReport {
        byType = Map.copyOf(byType);
    }

    /** The score of one type, or an empty score when the type never occurred. */
    public TypeScore of(FailureType type) {
        TypeScore s = byType.get(type);
        return s != null ? s : new TypeScore(type, 0, 0, 0, 0, java.util.List.of());
    }

    /** A fixed-width table: one row per type in enum order, then the overall row. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "detection score over %d run(s)%n", runs));
        sb.append(String.format(Locale.ROOT, "%-19s %8s %8s %5s %6s %6s %5s %9s %7s %9s %9s%n", "type", "injected",
                "detected", "tp", "missed", "false", "dup", "precision", "recall", "p50 s", "p95 s"));
        for (FailureType type : FailureType.values()) {
            TypeScore s = byType.get(type);
            if (s != null) {
                row(sb, type.name(), s);
            }
        }
        row(sb, "ALL (with truth)", overall);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, TypeScore s) {
        sb.append(String.format(Locale.ROOT, "%-19s %8d %8d %5d %6d %6d %5d %9s %7s %9s %9s%n", name, s.injected(),
                s.detected(), s.truePositives(), s.missed(), s.falseAlarms(), s.duplicates(), ratio(s.precision()),
                ratio(s.recall()), seconds(s.latency(0.50)), seconds(s.latency(0.95))));
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.3f", r);
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
