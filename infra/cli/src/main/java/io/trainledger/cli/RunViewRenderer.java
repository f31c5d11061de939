package io.trainledger.cli;

import io.trainledger.events.StepCompleted;
import io.trainledger.tor.Badput;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.WindowTor;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Draws a {@link RunView} as lines of text: a progress bar with step and ETA, the loss and its components, the
 * current TOR and the largest badput buckets, fault counts, and the latest failures as they are injected, detected
 * and recovered. A pure function of the view, the width and the time zone, so tests check the exact text.
 */
public final class RunViewRenderer {
    private static final int INCIDENT_LINES = 8;

    private final int width;
    private final DateTimeFormatter clock;

    public RunViewRenderer(int width, ZoneId zone) {
        this.width = Math.max(40, width);
        this.clock = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(zone);
    }

    /** The whole view. */
    public List<String> render(RunView v) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Run %s  %s  attempt %d  %s%s", v.runId(),
                v.method().isEmpty() ? "?" : v.method(), v.attempt(), v.phase(),
                v.endDetail().isEmpty() ? "" : " (" + v.endDetail() + ")"));
        lines.add(progressLine(v));
        lines.add(lossLine(v.lastStep()));
        lines.add(torLine(v.report()));
        lines.add(faultLine(v));
        List<RunView.Incident> incidents = v.incidents();
        for (RunView.Incident i : incidents.subList(Math.max(0, incidents.size() - INCIDENT_LINES), incidents.size())) {
            lines.add(incident(i));
        }
        return lines.stream().map(this::fit).toList();
    }

    /** One failure-log line, as the view and the non-interactive output print it. */
    public String incident(RunView.Incident i) {
        return fit(String.format(Locale.ROOT, "  %s %-9s %-9s %s", clock.format(i.time()), i.kind(), i.type(), i.detail()));
    }

    String progressLine(RunView v) {
        long total = v.totalSteps();
        double fraction = total > 0 ? Math.min(1.0, (double) v.step() / total) : 0.0;
        String rate = Double.isNaN(v.stepsPerSecond()) ? "" : String.format(Locale.ROOT, "  %.1f steps/s", v.stepsPerSecond());
        Duration eta = v.eta();
        String tail = String.format(Locale.ROOT, " %d/%s steps %5.1f%%  ETA %s%s", v.step(), total > 0 ? total : "?",
                100 * fraction, v.isFinished() ? "-" : eta == null ? "?" : duration(eta), rate);
        int barWidth = Math.max(10, Math.min(50, width - tail.length() - 2));
        int filled = (int) Math.round(fraction * barWidth);
        return "[" + "#".repeat(filled) + ".".repeat(barWidth - filled) + "]" + tail;
    }

    static String lossLine(StepCompleted s) {
        if (s == null) {
            return "loss -";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "loss %s  ce %s", num(s.getLoss()), num(s.getCeLoss())));
        if (s.getPplLoss() != 0.0 || s.getIpplLoss() != 0.0) {
            b.append(String.format(Locale.ROOT, "  ppl %s  ippl %s", num(s.getPplLoss()), num(s.getIpplLoss())));
        }
        if (s.getKgLoss() != 0.0) {
            b.append(String.format(Locale.ROOT, "  kg %s", num(s.getKgLoss())));
        }
        b.append(String.format(Locale.ROOT, "  acc %.2f  lr %.2e", s.getAccuracy(), s.getLr()));
        return b.toString();
    }

    static String torLine(TorReport r) {
        if (r == null) {
            return "TOR -  (waiting for the aggregator's first report)";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "TOR %.3f", r.getTor()));
        // The shortest window is the "now" of the run.
        r.getWindows().stream().min(Comparator.comparingLong(WindowTor::getWindowSeconds)).ifPresent(w -> b.append(
                String.format(Locale.ROOT, "  last %s: %.3f", duration(Duration.ofSeconds(w.getWindowSeconds())), w.getTor())));
        String top = largestBuckets(r.getBadput(), 3).entrySet().stream()
                .map(e -> e.getKey() + " " + duration(Duration.ofNanos(e.getValue())))
                .collect(Collectors.joining(", "));
        b.append("   badput: ").append(top.isEmpty() ? "none" : top);
        return b.toString();
    }

    String faultLine(RunView v) {
        int injected = v.injected().values().stream().mapToInt(Integer::intValue).sum();
        int detected = v.detected().values().stream().mapToInt(Integer::intValue).sum();
        return String.format(Locale.ROOT, "faults injected %d%s  detected %d%s  recovered %d  committed step %d",
                injected, counts(v.injected()), detected, counts(v.detected()), v.recovered(), v.committedStep());
    }

    private static String counts(Map<String, Integer> byType) {
        if (byType.isEmpty()) {
            return "";
        }
        return byType.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
    }

    /** Badput buckets by size, largest first, at most {@code n}, zero ones left out. */
    static Map<String, Long> largestBuckets(Badput b, int n) {
        Map<String, Long> all = buckets(b);
        Map<String, Long> top = new LinkedHashMap<>();
        all.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(n).forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }

    /** Every bucket in the order of the TOR accounting (DESIGN section 4). */
    static Map<String, Long> buckets(Badput b) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("queued", b.getQueuedNanos());
        m.put("init", b.getInitNanos());
        m.put("restore", b.getRestoreNanos());
        m.put("checkpoint stall", b.getCheckpointStallNanos());
        m.put("wasted", b.getWastedNanos());
        m.put("detection", b.getDetectionNanos());
        m.put("restart", b.getRestartNanos());
        m.put("slowdown", b.getSlowdownNanos());
        m.put("other", b.getOtherNanos());
        return m;
    }

    /** 850 ms, 12.3 s, 4m05s, 1h02m. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.4f", x) : Double.toString(x);
    }

    private String fit(String line) {
        return line.length() <= width ? line : line.substring(0, width - 1) + "~";
    }
}
