package io.trainledger.cli;

import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.FailureRate;
import io.trainledger.tor.Projection;
import io.trainledger.tor.TorModel;
import io.trainledger.tor.TorReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A TorReport as text for a person: TOR and the time identity T_obs = T_opt + badput, every bucket with its share,
 * the per-failure-type attribution, the fitted model with the recommended checkpoint interval, and the projection
 * to larger scale. Pure.
 */
public final class TorReportSummary {
    private TorReportSummary() {
    }

    public static List<String> lines(TorReport r) {
        List<String> out = new ArrayList<>();
        double tObs = r.getTObsNanos();
        out.add(String.format(Locale.ROOT, "TOR %.4f  (run %s, %s, %d events folded)", r.getTor(), r.getRunId(),
                r.getStatus(), r.getEventsFolded()));
        long badput = r.getTObsNanos() - r.getTOptNanos();
        out.add(String.format(Locale.ROOT, "  T_obs %s = T_opt %s + badput %s", d(r.getTObsNanos()), d(r.getTOptNanos()), d(badput)));
        out.add(String.format(Locale.ROOT, "  steps preserved %d, executed %d; ideal step %s (%s)", r.getPreservedSteps(),
                r.getExecutedSteps(), ms(r.getIdealStepNanos()), r.getIdealStepEstimated() ? "estimated" : "configured"));
        out.add("Badput breakdown:");
        for (Map.Entry<String, Long> e : RunViewRenderer.buckets(r.getBadput()).entrySet()) {
            out.add(String.format(Locale.ROOT, "  %-17s %10s  %5.1f%%", e.getKey(), d(e.getValue()),
                    tObs > 0 ? 100.0 * e.getValue() / tObs : 0.0));
        }
        out.add("Per failure type (recovery badput):");
        if (r.getFailures().isEmpty()) {
            out.add("  none");
        }
        for (FailureAttribution f : r.getFailures()) {
            out.add(String.format(Locale.ROOT, "  %-10s x%-3d detection %s, restart %s, init %s, restore %s, wasted %s, slowdown %s",
                    f.getType(), f.getCount(), d(f.getDetectionNanos()), d(f.getRestartNanos()), d(f.getInitNanos()),
                    d(f.getRestoreNanos()), d(f.getWastedNanos()), d(f.getSlowdownNanos())));
        }
        TorModel m = r.getModel();
        out.add("Fitted model:");
        if (m == null) {
            out.add("  not enough observations yet");
            return out;
        }
        out.add(String.format(Locale.ROOT, "  interval tau %s, blocking save delta %s, MTBF M %s, repair R %s, exposure %s",
                s(m.getTauSeconds()), s(m.getDeltaSeconds()), s(m.getMtbfSeconds()), s(m.getRepairSeconds()),
                s(m.getExposureSeconds())));
        for (FailureRate rate : m.getRates()) {
            out.add(String.format(Locale.ROOT, "  %-10s %d observed, %s per hour, mean loss %s, mean repair %s",
                    rate.getType(), rate.getCount(), num(rate.getRatePerHour()), s(rate.getMeanLossSeconds()),
                    s(rate.getMeanRepairSeconds())));
        }
        out.add(String.format(Locale.ROOT, "  predicted TOR %s (first order %s) vs observed %.4f",
                num(m.getPredictedTor()), num(m.getPredictedTorFirstOrder()), r.getTor()));
        out.add(String.format(Locale.ROOT, "  recommended checkpoint interval: %s (Daly; Young %s), current %s",
                s(m.getDalyIntervalSeconds()), s(m.getYoungIntervalSeconds()), s(m.getTauSeconds())));
        if (!m.getProjections().isEmpty()) {
            out.add("Projection to larger scale (failure rates scale with the hardware):");
            for (Projection p : m.getProjections()) {
                out.add(String.format(Locale.ROOT, "  x%-6s TOR %s at interval %s", trim(p.getScale()), num(p.getTor()),
                        s(p.getIntervalSeconds())));
            }
        }
        return out;
    }

    private static String d(long nanos) {
        return RunViewRenderer.duration(Duration.ofNanos(nanos));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String s(double seconds) {
        if (!Double.isFinite(seconds)) {
            return seconds > 0 ? "infinite" : "n/a";
        }
        return RunViewRenderer.duration(Duration.ofNanos((long) (seconds * 1e9)));
    }

    private static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.4f", x) : "n/a";
    }

    private static String trim(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }
}
