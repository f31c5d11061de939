package io.trainledger.bench.tor;

import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Runs {@link TorFoldBenchmark} and prints the figures with the ratio to the same-run baseline. */
public final class TorBench {

    public static void main(String[] args) throws Exception {
        TorLedger ledger = TorLedger.create();
        TorFoldBenchmark.log().forEach(ledger::apply);
        TorReport report = ledger.report();
        int reportBytes = TorReport.getEncoder().encode(report).remaining();
        int stateBytes = ledger.toBytes().length;

        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(TorFoldBenchmark.class.getSimpleName()).build()).run();
        Map<String, Double> score = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            score.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        double fold = score.get("fold");
        double base = score.get("baselineDedupOnly");
        System.out.printf(Locale.ROOT, "%n== TOR fold benchmark (%d events, 1 thread) ==%n", TorFoldBenchmark.EVENTS);
        System.out.printf(Locale.ROOT, "fold                 %,.0f events/s%n", fold);
        System.out.printf(Locale.ROOT, "baseline (dedup)     %,.0f events/s%n", base);
        System.out.printf(Locale.ROOT, "fold / baseline      %.2f (goal: fold >= 2,000,000 events/s: %s)%n", fold / base,
                fold >= 2_000_000 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "report()             %,.1f us%n", 1e6 / score.get("report"));
        System.out.printf(Locale.ROOT, "report Avro binary   %d bytes, %,.2f us to encode%n", reportBytes, 1e6 / score.get("reportSerialise"));
        System.out.printf(Locale.ROOT, "ledger state         %d bytes, %,.2f us to write, %,.2f us to read%n", stateBytes,
                1e6 / score.get("stateSerialise"), 1e6 / score.get("stateDeserialise"));
        System.out.printf(Locale.ROOT, "final TOR of the log %.4f over %d failures%n", report.getTor(),
                report.getFailures().stream().mapToLong(f -> f.getCount()).sum());
    }
}
