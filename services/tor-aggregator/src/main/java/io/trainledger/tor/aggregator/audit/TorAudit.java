package io.trainledger.tor.aggregator.audit;

import io.trainledger.events.RunEvent;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The pure half of {@code audit}: folds a run's ledger (read from offset 0) with {@link TorLedger} and compares the
 * aggregator's latest {@link TorReport} with it field by field, with exact equality (doubles bit for bit).
 *
 * <p>The aggregator throttles its reports, so while a run is live its latest report may trail the ledger by a few
 * events. The report is therefore compared with the fold of the ledger prefix that ends where the report ends (the
 * first prefix whose {@code eventsFolded} equals the report's); {@link Result#upToDate()} says whether that prefix is
 * the whole ledger. A finished run's last report is always emitted, so for it the two must be the full fold.
 */
public final class TorAudit {
    private TorAudit() {
    }

    /** A field whose values differ: {@code path} like {@code badput.wastedNanos} or {@code failures[0].count}. */
    public record Difference(String path, Object expected, Object actual) {
        @Override
        public String toString() {
            return path + ": expected " + expected + ", aggregator " + actual;
        }
    }

    /**
     * @param runId           the run
     * @param ledgerRecords   ledger records of the run that decoded
     * @param ledgerEvents    distinct events of the whole ledger (the full fold's eventsFolded)
     * @param expected        the fold the report is compared with (the prefix ending where the report ends), or the
     *                        full fold when there is no report
     * @param actual          the aggregator's latest report (null when there is none)
     * @param upToDate        whether the report covers the whole ledger
     * @param differences     every differing field; empty when the report equals the fold exactly
     */
    public record Result(String runId, long ledgerRecords, long ledgerEvents, TorReport expected, TorReport actual,
                         boolean upToDate, List<Difference> differences) {
        /** True when the report equals the fold of the ledger exactly. */
        public boolean matches() {
            return differences.isEmpty();
        }

        /** True when the report equals the fold of the whole ledger exactly. */
        public boolean matchesWholeLedger() {
            return matches() && upToDate;
        }
    }

    /** Audits {@code latest} against {@code ledger}, the run's events in log order from offset 0. */
    public static Result audit(String runId, List<RunEvent> ledger, TorReport latest) {
        TorLedger fold = TorLedger.create();
        TorReport atReport = null;
        if (latest != null && latest.getEventsFolded() == 0) {
            atReport = fold.report();
        }
        for (RunEvent e : ledger) {
            if (fold.apply(e) && latest != null && atReport == null
                    && fold.eventsFolded() == latest.getEventsFolded()) {
                atReport = fold.report();
            }
        }
        TorReport full = fold.report();
        if (latest == null) {
            return new Result(runId, ledger.size(), fold.eventsFolded(), full, null, false,
                    List.of(new Difference("report", "a TorReport on trainledger.tor", null)));
        }
        if (atReport == null) {
            // The report claims more events than the ledger has: compare with the full fold to show how.
            return new Result(runId, ledger.size(), fold.eventsFolded(), full, latest, false, compare(full, latest));
        }
        return new Result(runId, ledger.size(), fold.eventsFolded(), atReport, latest,
                latest.getEventsFolded() == fold.eventsFolded(), compare(atReport, latest));
    }

    /** Every field, recursively, whose values are not exactly equal (doubles compared bit for bit). */
    public static List<Difference> compare(SpecificRecord expected, SpecificRecord actual) {
        List<Difference> out = new ArrayList<>();
        diff("", expected, actual, out);
        return out;
    }

    private static void diff(String path, Object e, Object a, List<Difference> out) {
        if (e instanceof SpecificRecord re && a instanceof SpecificRecord ra
                && re.getSchema().getFullName().equals(ra.getSchema().getFullName())) {
            for (Schema.Field f : re.getSchema().getFields()) {
                diff(path.isEmpty() ? f.name() : path + "." + f.name(), re.get(f.pos()), ra.get(f.pos()), out);
            }
        } else if (e instanceof List<?> le && a instanceof List<?> la) {
            if (le.size() != la.size()) {
                out.add(new Difference(path + ".size", le.size(), la.size()));
            }
            for (int i = 0; i < Math.min(le.size(), la.size()); i++) {
                diff(path + "[" + i + "]", le.get(i), la.get(i), out);
            }
        } else if (e instanceof Map<?, ?> me && a instanceof Map<?, ?> ma) {
            if (!me.keySet().equals(ma.keySet())) {
                out.add(new Difference(path + ".keys", me.keySet(), ma.keySet()));
            }
            for (Object k : me.keySet()) {
                if (ma.containsKey(k)) {
                    diff(path + "[" + k + "]", me.get(k), ma.get(k), out);
                }
            }
        } else if (e instanceof Double de && a instanceof Double da) {
            if (Double.doubleToLongBits(de) != Double.doubleToLongBits(da)) {
                out.add(new Difference(path, de, da));
            }
        } else if (e instanceof CharSequence && a instanceof CharSequence) {
            if (!e.toString().equals(a.toString())) {
                out.add(new Difference(path, e, a));
            }
        } else if (!Objects.equals(e, a)) {
            out.add(new Difference(path, e, a));
        }
    }
}
