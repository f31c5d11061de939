package io.trainledger.tor.core;

import static io.trainledger.tor.core.TorLedgerHandWorkedTest.assertBadput;
import static io.trainledger.tor.core.TorLedgerHandWorkedTest.at;
import static io.trainledger.tor.core.TorLedgerHandWorkedTest.attribution;
import static io.trainledger.tor.core.TorLedgerHandWorkedTest.fold;
import static io.trainledger.tor.core.TorLedgerHandWorkedTest.ns;
import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * INFRA verdicts, hand-worked (docs/TOR.md, "INFRA"): a broker outage the attempt survived is counted and charges
 * nothing; one after which a new attempt starts is a rollback failure. Seconds after submission; t_ideal 1 s.
 */
class InfraVerdictTest {

    final RunEventFactory f = new RunEventFactory("run-infra", 44);

    List<RunEvent> start() {
        // attempt 1 ready at 1 after 1 s init; steps 1, 2, 3 end at 2, 3, 4
        List<RunEvent> e = new ArrayList<>();
        e.add(f.submitted(at(0), 1.0, 5, 100));
        e.add(f.attemptStarted(at(1), 1, null, ns(1), 0));
        for (int s = 1; s <= 3; s++) {
            e.add(f.step(at(1 + s), 1, s, ns(1)));
        }
        return e;
    }

    @Test
    void anOutageTheAttemptSurvivedIsCountedAndChargesNothing() {
        // the broker is unreachable from 4.5 to 10; the monitor's INFRA verdict at 10.5 (outage start 4.5, step 3).
        // The trainer was blocked meanwhile: step 4 ends at 11, step 5 at 12; completed at 12.
        // T_obs 12 = T_opt 5 + INIT 1 + OTHER 6 (the stall 4 -> 10 is nobody's bucket); no DETECTION, no WASTED.
        List<RunEvent> log = start();
        log.add(f.failureDetected(at(10.5), 1, FailureType.INFRA, at(4.5), 3));
        TorReport during = fold(log);
        assertThat(during.getStatus()).as("not known to be a failure of the attempt").isEqualTo(RunStatus.RUNNING);
        log.add(f.step(at(11), 1, 4, ns(1)));
        log.add(f.step(at(12), 1, 5, ns(1)));
        log.add(f.completed(at(12), 1, 5));
        TorReport r = fold(log);
        assertThat(r.getPreservedSteps()).isEqualTo(5);
        assertBadput(r, 0, 1, 0, 0, 0, 0, 0, 0, 6);
        FailureAttribution infra = attribution(r, FailureType.INFRA);
        assertThat(infra.getCount()).isEqualTo(1);
        assertThat(infra.getDetectionNanos() + infra.getRestartNanos() + infra.getWastedNanos()).isZero();

        // the trainer's buffered step 4 may reach the ledger before the verdict: the same report
        List<RunEvent> stepFirst = new ArrayList<>(log);
        stepFirst.add(5, stepFirst.remove(6));
        assertThat(fold(stepFirst).getBadput()).isEqualTo(r.getBadput());
        assertThat(attribution(fold(stepFirst), FailureType.INFRA).getCount()).isEqualTo(1);
    }

    @Test
    void anOutageFollowedByANewAttemptIsARollbackFailure() {
        // INFRA verdict at 10 (last progress 4, step 3); attempt 2 ready at 13 after 1 s init, from scratch:
        // init began at 12 -> RESTART 10 -> 12 = 2; DETECTION 4 -> 10 = 6; WASTED steps 1-3 = 3.
        // steps 1, 2, 3 end at 14, 15, 16; completed at 16.
        // T_obs 16 = T_opt 3 + INIT 2 + WASTED 3 + DETECTION 6 + RESTART 2, OTHER 0.
        List<RunEvent> log = start();
        log.add(f.failureDetected(at(10), 1, FailureType.INFRA, at(4), 3));
        log.add(f.attemptStarted(at(13), 2, null, ns(1), 0));
        TorReport restarted = fold(log);
        assertThat(restarted.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertBadput(restarted, 0, 2, 0, 0, 3, 6, 2, 0, 0);
        for (int s = 1; s <= 3; s++) {
            log.add(f.step(at(13 + s), 2, s, ns(1)));
        }
        log.add(f.completed(at(16), 2, 3));
        TorReport r = fold(log);
        assertBadput(r, 0, 2, 0, 0, 3, 6, 2, 0, 0);
        FailureAttribution infra = attribution(r, FailureType.INFRA);
        assertThat(infra.getCount()).isEqualTo(1);
        assertThat(infra.getDetectionNanos()).isEqualTo(ns(6));
        assertThat(infra.getRestartNanos()).isEqualTo(ns(2));
        assertThat(infra.getInitNanos()).isEqualTo(ns(1));
        assertThat(infra.getWastedNanos()).isEqualTo(ns(3));

        // re-sent verdict, and the decision across a state-store restart: nothing changes
        List<RunEvent> again = new ArrayList<>(log);
        again.add(6, log.get(5));
        assertThat(fold(again)).isEqualTo(r);
        TorLedger chunked = TorLedger.fold(log.subList(0, 6)).copy();
        log.subList(6, log.size()).forEach(chunked::apply);
        assertThat(chunked.report()).isEqualTo(r);
    }

    @Test
    void anOutageAfterWhichTheProcessCrashedIsTheCrash() {
        // INFRA verdict at 10 (the attempt was alive after the outage), then it crashes: CRASH at 20 (last progress
        // 4, step 3) -> DETECTION 16; attempt 2 ready at 22 from scratch (init 1) -> RESTART 20 -> 21 = 1, WASTED 3.
        List<RunEvent> log = start();
        log.add(f.failureDetected(at(10), 1, FailureType.INFRA, at(4), 3));
        log.add(f.failureDetected(at(20), 1, FailureType.CRASH, at(4), 3));
        log.add(f.attemptStarted(at(22), 2, null, ns(1), 0));
        TorReport r = fold(log);
        assertBadput(r, 0, 2, 0, 0, 3, 16, 1, 0, 0);
        assertThat(attribution(r, FailureType.CRASH).getWastedNanos()).isEqualTo(ns(3));
        assertThat(attribution(r, FailureType.INFRA).getCount()).isEqualTo(1);
        assertThat(attribution(r, FailureType.INFRA).getDetectionNanos()).isZero();
    }
}
