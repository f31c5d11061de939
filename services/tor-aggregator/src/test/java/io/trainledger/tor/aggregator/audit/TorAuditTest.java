package io.trainledger.tor.aggregator.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.Badput;
import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TorAuditTest {
    private static final List<RunEvent> LOG = FailureSimulator.builder().seed(5).runId("audit-run").steps(300)
            .checkpointEverySteps(30).checkpointStall(Distribution.constant(0.5))
            .failure(FailureType.CRASH, 80, Distribution.constant(5), Distribution.constant(5))
            .duplicates(0.05).build().events();

    @Test
    void theReportOfTheWholeLedgerMatches() {
        TorAudit.Result r = TorAudit.audit("audit-run", LOG, TorLedger.fold(LOG).report());
        assertThat(r.differences()).isEmpty();
        assertThat(r.matchesWholeLedger()).isTrue();
        assertThat(r.ledgerRecords()).isEqualTo(LOG.size());
    }

    @Test
    void aReportOfAPrefixMatchesThatPrefixButIsNotUpToDate() {
        TorReport prefix = TorLedger.fold(LOG.subList(0, LOG.size() / 2)).report();
        TorAudit.Result r = TorAudit.audit("audit-run", LOG, prefix);
        assertThat(r.matches()).isTrue();
        assertThat(r.upToDate()).isFalse();
        assertThat(r.expected()).isEqualTo(prefix);
    }

    @Test
    void anyDifferenceIsNamedByItsFieldPath() {
        TorReport right = TorLedger.fold(LOG).report();
        List<FailureAttribution> failures = new ArrayList<>(right.getFailures());
        failures.set(0, FailureAttribution.newBuilder(failures.get(0)).setCount(failures.get(0).getCount() + 1).build());
        TorReport wrong = TorReport.newBuilder(right)
                .setBadput(Badput.newBuilder(right.getBadput()).setWastedNanos(right.getBadput().getWastedNanos() + 1)
                        .build())
                .setTor(Math.nextUp(right.getTor()))
                .setFailures(failures)
                .build();
        TorAudit.Result r = TorAudit.audit("audit-run", LOG, wrong);
        assertThat(r.matches()).isFalse();
        assertThat(r.differences()).extracting(TorAudit.Difference::path)
                .contains("tor", "badput.wastedNanos", "failures[0].count");
    }

    @Test
    void infiniteMtbfComparesEqualToItself() {
        List<RunEvent> clean = FailureSimulator.builder().seed(3).runId("clean").steps(50).build().events();
        TorReport report = TorLedger.fold(clean).report();
        assertThat(report.getModel().getMtbfSeconds()).isInfinite();
        assertThat(TorAudit.audit("clean", clean, report).matchesWholeLedger()).isTrue();
    }

    @Test
    void noReportIsADifference() {
        TorAudit.Result r = TorAudit.audit("audit-run", LOG, null);
        assertThat(r.matches()).isFalse();
        assertThat(r.differences()).extracting(TorAudit.Difference::path).containsExactly("report");
    }
}
