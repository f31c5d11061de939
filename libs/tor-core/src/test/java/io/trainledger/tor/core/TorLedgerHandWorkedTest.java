package io.trainledger.tor.core;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.Badput;
import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.sim.RunEventFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-worked event sequences. Every expected number is worked out in the comments from the timeline, not by the
 * code under test. Times are seconds after submission; t_ideal is configured as 1 s unless said otherwise.
 */
class TorLedgerHandWorkedTest {

    static final long T0 = 1_700_000_000_000_000L;

    static long at(double seconds) {
        return T0 + Math.round(seconds * 1e6);
    }

    static long ns(double seconds) {
        return Math.round(seconds * 1e9);
    }

    final RunEventFactory f = new RunEventFactory("run-1", 42);

    static TorReport fold(List<RunEvent> events) {
        return TorLedger.fold(events).report();
    }

    static void assertBadput(TorReport r, double queued, double init, double restore, double stall, double wasted,
                             double detection, double restart, double slowdown, double other) {
        Badput b = r.getBadput();
        assertThat(b.getQueuedNanos()).as("QUEUED").isEqualTo(ns(queued));
        assertThat(b.getInitNanos()).as("INIT").isEqualTo(ns(init));
        assertThat(b.getRestoreNanos()).as("RESTORE").isEqualTo(ns(restore));
        assertThat(b.getCheckpointStallNanos()).as("CHECKPOINT_STALL").isEqualTo(ns(stall));
        assertThat(b.getWastedNanos()).as("WASTED").isEqualTo(ns(wasted));
        assertThat(b.getDetectionNanos()).as("DETECTION").isEqualTo(ns(detection));
        assertThat(b.getRestartNanos()).as("RESTART").isEqualTo(ns(restart));
        assertThat(b.getSlowdownNanos()).as("SLOWDOWN").isEqualTo(ns(slowdown));
        assertThat(b.getOtherNanos()).as("OTHER").isEqualTo(ns(other));
        assertThat(r.getTOptNanos() + b.getQueuedNanos() + b.getInitNanos() + b.getRestoreNanos()
                + b.getCheckpointStallNanos() + b.getWastedNanos() + b.getDetectionNanos() + b.getRestartNanos()
                + b.getSlowdownNanos() + b.getOtherNanos()).as("identity").isEqualTo(r.getTObsNanos());
    }

    static FailureAttribution attribution(TorReport r, FailureType type) {
        return r.getFailures().stream().filter(a -> a.getType() == type).findFirst().orElseThrow();
    }

    @Test
    void cleanRunWithQueueing() {
        // 0 submitted; attempt 1 ready at 12 after 2 s init -> init began at 10: QUEUED 10, INIT 2.
        // steps 1..4 of 1 s end at 13, 14, 15.5, 16.5; snapshot of step 2 blocks 14 -> 14.5 (STALL 0.5).
        // completed at 17: T_obs 17, T_opt 4 x 1 = 4, OTHER = 17 - 4 - 10 - 2 - 0.5 = 0.5 (the gap 16.5 -> 17).
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 4, 2),
                f.attemptStarted(at(12), 1, null, ns(2), 0),
                f.step(at(13), 1, 1, ns(1)),
                f.step(at(14), 1, 2, ns(1)),
                f.snapshotted(at(14.5), 1, 2, ns(0.5)),
                f.committed(at(15), 1, 2),
                f.step(at(15.5), 1, 3, ns(1)),
                f.step(at(16.5), 1, 4, ns(1)),
                f.completed(at(17), 1, 4));
        TorReport r = fold(e);
        assertThat(r.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.getTObsNanos()).isEqualTo(ns(17));
        assertThat(r.getTOptNanos()).isEqualTo(ns(4));
        assertThat(r.getPreservedSteps()).isEqualTo(4);
        assertThat(r.getExecutedSteps()).isEqualTo(4);
        assertThat(r.getTor()).isEqualTo(4.0 / 17.0);
        assertThat(r.getEventsFolded()).isEqualTo(9);
        assertThat(r.getIdealStepEstimated()).isFalse();
        assertBadput(r, 10, 2, 0, 0.5, 0, 0, 0, 0, 0.5);
        assertThat(r.getFailures()).isEmpty();
    }

    List<RunEvent> crashRun() {
        // 0 submitted; attempt 1 ready at 1 after 1 s init (QUEUED 0, INIT 1).
        // steps 1, 2 end at 2, 3; snapshot 2 blocks 3 -> 3.5; committed at 3.6.
        // steps 3, 4 end at 4.5, 5.5; snapshot 4 blocks 5.5 -> 6 but is never committed.
        // step 5 ends at 7; the process dies; verdict at 9 (last progress 7): DETECTION 2.
        // attempt 2 ready at 13 after init 1 + restore 1 from committed step 2 -> init began at 11: RESTART 9 -> 11 = 2.
        // WASTED is measured against the committed step 2, not the snapshot at 4: steps 3, 4, 5 = 3 s.
        // steps 3..6 end at 14..17; completed at 17.
        // T_obs 17 = T_opt 6 + INIT 2 + RESTORE 1 + STALL 1 + WASTED 3 + DETECTION 2 + RESTART 2 (+ OTHER 0).
        return List.of(
                f.submitted(at(0), 1.0, 6, 2),
                f.attemptStarted(at(1), 1, null, ns(1), 0),
                f.step(at(2), 1, 1, ns(1)),
                f.step(at(3), 1, 2, ns(1)),
                f.snapshotted(at(3.5), 1, 2, ns(0.5)),
                f.committed(at(3.6), 1, 2),
                f.step(at(4.5), 1, 3, ns(1)),
                f.step(at(5.5), 1, 4, ns(1)),
                f.snapshotted(at(6), 1, 4, ns(0.5)),
                f.step(at(7), 1, 5, ns(1)),
                f.failureDetected(at(9), 1, FailureType.CRASH, at(7), 5),
                f.attemptStarted(at(13), 2, 2L, ns(1), ns(1)),
                f.recovered(at(13), 2, FailureType.CRASH, 2, 3, ns(6)),
                f.step(at(14), 2, 3, ns(1)),
                f.step(at(15), 2, 4, ns(1)),
                f.step(at(16), 2, 5, ns(1)),
                f.step(at(17), 2, 6, ns(1)),
                f.completed(at(17), 2, 6));
    }

    @Test
    void crashRollsBackToLastCommittedCheckpoint() {
        TorReport r = fold(crashRun());
        assertThat(r.getTObsNanos()).isEqualTo(ns(17));
        assertThat(r.getTOptNanos()).isEqualTo(ns(6));
        assertThat(r.getPreservedSteps()).isEqualTo(6);
        assertThat(r.getExecutedSteps()).isEqualTo(9);
        assertBadput(r, 0, 2, 1, 1, 3, 2, 2, 0, 0);
        FailureAttribution crash = attribution(r, FailureType.CRASH);
        assertThat(crash.getCount()).isEqualTo(1);
        assertThat(crash.getDetectionNanos()).isEqualTo(ns(2));
        assertThat(crash.getRestartNanos()).isEqualTo(ns(2));
        // only the forced attempt's init and restore are the crash's: attempt 1's init is not
        assertThat(crash.getInitNanos()).isEqualTo(ns(1));
        assertThat(crash.getRestoreNanos()).isEqualTo(ns(1));
        assertThat(crash.getWastedNanos()).isEqualTo(ns(3));
    }

    @Test
    void reportWhileRecoveringShowsTheOpenRestart() {
        // the first 11 events of the crash run: the verdict at 9 names step 5 (last progress 7), so all 5 steps
        // stay preserved until a restore says otherwise. As of 9: T_obs 9 = T_opt 5 + INIT 1 + STALL 1 + DETECTION 2.
        TorLedger ledger = TorLedger.fold(crashRun().subList(0, 11));
        TorReport r = ledger.report();
        assertThat(r.getStatus()).isEqualTo(RunStatus.RECOVERING);
        assertThat(r.getTObsNanos()).isEqualTo(ns(9));
        assertThat(r.getTOptNanos()).isEqualTo(ns(5));
        assertBadput(r, 0, 1, 0, 1, 0, 2, 0, 0, 0);
        // a later event (chaos ground truth at 10.5, never read otherwise) moves the clock: RESTART 9 -> 10.5 is open
        ledger.apply(f.faultInjected(at(10.5), 1, FailureType.CRASH, at(10.5), 5));
        r = ledger.report();
        assertThat(r.getTObsNanos()).isEqualTo(ns(10.5));
        assertBadput(r, 0, 1, 0, 1, 0, 2, 1.5, 0, 0);
        assertThat(attribution(r, FailureType.CRASH).getRestartNanos()).isEqualTo(ns(1.5));
    }

    @Test
    void hangIsChargedFromLastProgressToVerdict() {
        // steps 1..3 end at 1, 2, 3.2 (snapshot 2 blocks 2 -> 2.2, committed at 2.5); no progress after 3.2.
        // verdict HANG at 33.2: DETECTION 30. attempt 2 ready at 40 after init 2 + restore 1 -> init began at 37:
        // RESTART 33.2 -> 37 = 3.8. WASTED: step 3 = 1 s. steps 3, 4 end at 41, 42; completed at 42.
        // T_obs 42 = T_opt 4 + INIT 2 + RESTORE 1 + STALL 0.2 + WASTED 1 + DETECTION 30 + RESTART 3.8, OTHER 0.
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 4, 2),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.snapshotted(at(2.2), 1, 2, ns(0.2)),
                f.committed(at(2.5), 1, 2),
                f.step(at(3.2), 1, 3, ns(1)),
                f.failureDetected(at(33.2), 1, FailureType.HANG, at(3.2), 3),
                f.attemptStarted(at(40), 2, 2L, ns(2), ns(1)),
                f.step(at(41), 2, 3, ns(1)),
                f.step(at(42), 2, 4, ns(1)),
                f.completed(at(42), 2, 4));
        TorReport r = fold(e);
        assertThat(r.getTObsNanos()).isEqualTo(ns(42));
        assertThat(r.getTOptNanos()).isEqualTo(ns(4));
        assertBadput(r, 0, 2, 1, 0.2, 1, 30, 3.8, 0, 0);
        assertThat(r.getTor()).isEqualTo(4.0 / 42.0);
        FailureAttribution hang = attribution(r, FailureType.HANG);
        assertThat(hang.getDetectionNanos()).isEqualTo(ns(30));
        assertThat(hang.getRestartNanos()).isEqualTo(ns(3.8));
        assertThat(hang.getWastedNanos()).isEqualTo(ns(1));
    }

    @Test
    void failureDuringTheWaitAfterASnapshotDoesNotChargeTheStallTwice() {
        // steps 1, 2 end at 1, 2; snapshot 2 blocks 2 -> 2.5 and is committed at 2.6; the process dies after it.
        // the verdict (CRASH at 6.5) names last progress 2 (the step end), but 2 -> 2.5 is CHECKPOINT_STALL already:
        // DETECTION = 6.5 - 2.5 = 4. attempt 2 ready at 9 after restore 1 from step 2 -> init began at 8: RESTART 1.5.
        // no step lost (WASTED 0). steps 3, 4 end at 10, 11; completed at 11.
        // T_obs 11 = T_opt 4 + RESTORE 1 + STALL 0.5 + DETECTION 4 + RESTART 1.5, OTHER 0.
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 4, 2),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.snapshotted(at(2.5), 1, 2, ns(0.5)),
                f.committed(at(2.6), 1, 2),
                f.failureDetected(at(6.5), 1, FailureType.CRASH, at(2), 2),
                f.attemptStarted(at(9), 2, 2L, 0, ns(1)),
                f.step(at(10), 2, 3, ns(1)),
                f.step(at(11), 2, 4, ns(1)),
                f.completed(at(11), 2, 4));
        TorReport r = fold(e);
        assertThat(r.getTObsNanos()).isEqualTo(ns(11));
        assertBadput(r, 0, 0, 1, 0.5, 0, 4, 1.5, 0, 0);
    }

    @Test
    void beforeAnyHealthyStepTheIdealStepTimeIsUnknownAndTorIsZero() {
        // No configured t_ideal; queued 0 -> 2; init 2 s (attempt ready at 4); step 1 ends at 5 with a NaN loss.
        // The estimate uses healthy steps only, so t_ideal is unknown (0) and T_opt = 1 x 0 = 0: TOR 0, not a
        // division by an unknown. The step's 1 s is SLOWDOWN (step time above t_ideal = 0), and the identity holds:
        // T_obs 5 = QUEUED 2 + INIT 2 + SLOWDOWN 1.
        List<RunEvent> e = List.of(
                f.submitted(at(0), null, 10, 5),
                f.attemptStarted(at(4), 1, null, ns(2), 0),
                f.step(at(5), 1, 1, ns(1), Double.NaN));
        TorReport r = fold(e);
        assertThat(r.getIdealStepNanos()).isZero();
        assertThat(r.getIdealStepEstimated()).isTrue();
        assertThat(r.getTor()).isZero();
        assertThat(r.getTObsNanos()).isEqualTo(ns(5));
        assertBadput(r, 2, 2, 0, 0, 0, 0, 0, 1, 0);
    }

    List<RunEvent> nanRun(boolean verdictBeforeLastNanStep) {
        // steps 1, 2 end at 1, 2; snapshot 2 (no stall) committed at 2.1; step 3 ends at 3 with a good loss.
        // steps 4, 5 end at 4, 5 with NaN loss; verdict NAN_LOSS at 5.5 names step 3 / last progress 3:
        // DETECTION 3 -> 5.5 = 2.5, which contains the diverged steps 4 and 5 (they are not WASTED, not preserved).
        // attempt 2 ready at 7.5 after init 1 + restore 0.5 from step 2 -> init began at 6: RESTART 0.5.
        // WASTED: step 3 = 1 s. steps 3, 4, 5 end at 8.5, 9.5, 10.5; completed at 10.5.
        // T_obs 10.5 = T_opt 5 + INIT 1 + RESTORE 0.5 + WASTED 1 + DETECTION 2.5 + RESTART 0.5, OTHER 0.
        List<RunEvent> e = new ArrayList<>(List.of(
                f.submitted(at(0), 1.0, 5, 2),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.snapshotted(at(2), 1, 2, 0),
                f.committed(at(2.1), 1, 2),
                f.step(at(3), 1, 3, ns(1)),
                f.step(at(4), 1, 4, ns(1), Double.NaN)));
        RunEvent nan5 = f.step(at(5), 1, 5, ns(1), Double.NaN);
        RunEvent verdict = f.failureDetected(at(5.5), 1, FailureType.NAN_LOSS, at(3), 3);
        if (verdictBeforeLastNanStep) {
            e.add(verdict);
            e.add(nan5);
        } else {
            e.add(nan5);
            e.add(verdict);
        }
        e.addAll(List.of(
                f.attemptStarted(at(7.5), 2, 2L, ns(1), ns(0.5)),
                f.step(at(8.5), 2, 3, ns(1)),
                f.step(at(9.5), 2, 4, ns(1)),
                f.step(at(10.5), 2, 5, ns(1)),
                f.completed(at(10.5), 2, 5)));
        return e;
    }

    @Test
    void nanLossRollsBackAndDivergedStepsAreDetectionTime() {
        TorReport r = fold(nanRun(false));
        assertThat(r.getTObsNanos()).isEqualTo(ns(10.5));
        assertThat(r.getTOptNanos()).isEqualTo(ns(5));
        assertThat(r.getExecutedSteps()).isEqualTo(8);
        assertBadput(r, 0, 1, 0.5, 0, 1, 2.5, 0.5, 0, 0);
        FailureAttribution nan = attribution(r, FailureType.NAN_LOSS);
        assertThat(nan.getWastedNanos()).isEqualTo(ns(1));
        assertThat(nan.getDetectionNanos()).isEqualTo(ns(2.5));
    }

    @Test
    void verdictOvertakingTheTrainersLastStepGivesTheSameBuckets() {
        // the monitor's verdict lands before the trainer's last diverged step: that step lies after the last
        // progress and is ignored, so every bucket is the same; it is not counted as an executed step.
        TorReport inOrder = fold(nanRun(false));
        TorReport reordered = fold(nanRun(true));
        assertThat(reordered.getBadput()).isEqualTo(inOrder.getBadput());
        assertThat(reordered.getTOptNanos()).isEqualTo(inOrder.getTOptNanos());
        assertThat(reordered.getExecutedSteps()).isEqualTo(7);
    }

    @Test
    void stragglerPeriodIsSlowdownAttributedToStraggler() {
        // steps 1..3 take 1 s (end 1, 2, 3); steps 4..7 take 3 s (end 6, 9, 12, 15); the verdict STRAGGLER at 9.5
        // names the last healthy step 3 (last progress 3), so steps 4 and 5, folded before it, count as slow too.
        // RecoveryCompleted(STRAGGLER) at 15.2 closes the period; steps 8, 9 take 1 s (end 16.2, 17.2).
        // T_opt 9 x 1 = 9; step time 3 + 4 x 3 + 2 = 17: SLOWDOWN 17 - 9 = 8, all of it the straggler's
        // (4 steps x (3 - 1)). DETECTION 0: a fail-slow run keeps stepping. OTHER = 17.2 - 9 - 8 = 0.2 (15 -> 15.2).
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 9, 100),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.step(at(3), 1, 3, ns(1)),
                f.step(at(6), 1, 4, ns(3)),
                f.step(at(9), 1, 5, ns(3)),
                f.failureDetected(at(9.5), 1, FailureType.STRAGGLER, at(3), 3),
                f.step(at(12), 1, 6, ns(3)),
                f.step(at(15), 1, 7, ns(3)),
                f.recovered(at(15.2), 1, FailureType.STRAGGLER, 7, 0, 0),
                f.step(at(16.2), 1, 8, ns(1)),
                f.step(at(17.2), 1, 9, ns(1)),
                f.completed(at(17.2), 1, 9));
        TorReport r = fold(e);
        assertThat(r.getTObsNanos()).isEqualTo(ns(17.2));
        assertThat(r.getTOptNanos()).isEqualTo(ns(9));
        assertBadput(r, 0, 0, 0, 0, 0, 0, 0, 8, 0.2);
        FailureAttribution s = attribution(r, FailureType.STRAGGLER);
        assertThat(s.getCount()).isEqualTo(1);
        assertThat(s.getSlowdownNanos()).isEqualTo(ns(8));
        assertThat(s.getDetectionNanos()).isZero();
    }

    @Test
    void aStragglerVerdictThatOvertakesItsOwnLastHealthyStepDoesNotCountThatStepAsSlow() {
        // The run above, but the verdict (another writer) arrives before step 3, the last healthy step it names:
        // step 3 took 1 s and is not part of the period. Same figures as in order: SLOWDOWN 8, all the straggler's.
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 9, 100),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.failureDetected(at(3.5), 1, FailureType.STRAGGLER, at(3), 3),
                f.step(at(3), 1, 3, ns(1)),
                f.step(at(6), 1, 4, ns(3)),
                f.step(at(9), 1, 5, ns(3)),
                f.step(at(12), 1, 6, ns(3)),
                f.step(at(15), 1, 7, ns(3)),
                f.recovered(at(15.2), 1, FailureType.STRAGGLER, 7, 0, 0),
                f.step(at(16.2), 1, 8, ns(1)),
                f.step(at(17.2), 1, 9, ns(1)),
                f.completed(at(17.2), 1, 9));
        TorReport r = fold(e);
        assertBadput(r, 0, 0, 0, 0, 0, 0, 0, 8, 0.2);
        assertThat(attribution(r, FailureType.STRAGGLER).getSlowdownNanos()).isEqualTo(ns(8));
    }

    @Test
    void divergedStepsDroppedAfterAClosedStragglerPeriodTakeNoSlownessWithThem() {
        // steps 1..3 take 1 s (end 1, 2, 3); a straggler verdict at 3.5 names step 3; steps 4, 5 take 3 s (end 6, 9);
        // steps 6, 7 take 1 s (end 10, 11) and the period is closed at 11.2; step 8 takes 1 s (end 12); steps 9, 10
        // diverge (NaN loss, 2 s each, end 14, 16); the NAN_LOSS verdict at 16.5 names step 8 (last progress 12).
        // The diverged steps leave the lineage (their time is DETECTION), but they were not slow: the preserved steps
        // 1..8 took 3 + 6 + 2 + 1 = 12 s against T_opt 8 x 1 = 8, SLOWDOWN 4, all of it the straggler's
        // (2 steps x (3 - 1)). Found by reorderingWithinTheBoundDoesNotChangeTheBuckets (seed 45138, mtbf 120,
        // reorder 0.3): dropping diverged steps took min(slow steps, dropped steps) and all their time off the
        // straggler's, so the figure depended on how many diverged steps came before the verdict.
        List<RunEvent> e = List.of(
                f.submitted(at(0), 1.0, 20, 100),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1)),
                f.step(at(2), 1, 2, ns(1)),
                f.step(at(3), 1, 3, ns(1)),
                f.failureDetected(at(3.5), 1, FailureType.STRAGGLER, at(3), 3),
                f.step(at(6), 1, 4, ns(3)),
                f.step(at(9), 1, 5, ns(3)),
                f.step(at(10), 1, 6, ns(1)),
                f.step(at(11), 1, 7, ns(1)),
                f.recovered(at(11.2), 1, FailureType.STRAGGLER, 7, 0, 0),
                f.step(at(12), 1, 8, ns(1)),
                f.step(at(14), 1, 9, ns(2), Double.NaN),
                f.step(at(16), 1, 10, ns(2), Double.NaN),
                f.failureDetected(at(16.5), 1, FailureType.NAN_LOSS, at(12), 8));
        TorReport r = fold(e);
        assertThat(r.getPreservedSteps()).isEqualTo(8);
        assertThat(r.getBadput().getSlowdownNanos()).isEqualTo(ns(4));
        assertThat(attribution(r, FailureType.STRAGGLER).getSlowdownNanos()).isEqualTo(ns(4));
        assertThat(attribution(r, FailureType.NAN_LOSS).getDetectionNanos()).isEqualTo(ns(4.5));
    }

    @Test
    void idealStepIsEstimatedRobustly() {
        // no configured ideal; step times 1.0, 1.1, 1.2, 1.3, 9.0 s (one bin each).
        // median 1.2; |deviations| 0.2, 0.1, 0, 0.1, 7.8 -> MAD 0.1; band 1.2 +- 0.3 keeps 1.0..1.3:
        // t_ideal = (1.0 + 1.1 + 1.2 + 1.3) / 4 = 1.15 s. T_opt = 5 x 1.15 = 5.75; step time 13.6: SLOWDOWN 7.85.
        // ends at 1, 2.1, 3.3, 4.6, 13.6; completed at 14: OTHER 14 - 13.6 = 0.4.
        List<RunEvent> e = List.of(
                f.submitted(at(0), null, 5, 100),
                f.attemptStarted(at(0), 1, null, 0, 0),
                f.step(at(1), 1, 1, ns(1.0)),
                f.step(at(2.1), 1, 2, ns(1.1)),
                f.step(at(3.3), 1, 3, ns(1.2)),
                f.step(at(4.6), 1, 4, ns(1.3)),
                f.step(at(13.6), 1, 5, ns(9.0)),
                f.completed(at(14), 1, 5));
        TorReport r = fold(e);
        assertThat(r.getIdealStepEstimated()).isTrue();
        assertThat(r.getIdealStepNanos()).isEqualTo(ns(1.15));
        assertThat(r.getTOptNanos()).isEqualTo(ns(5.75));
        assertBadput(r, 0, 0, 0, 0, 0, 0, 0, 7.85, 0.4);
    }

    @Test
    void duplicatesAndCrossProducerReorderingGiveTheSameReport() {
        List<RunEvent> clean = crashRun();
        List<RunEvent> messy = new ArrayList<>(clean);
        // the checkpointer's commit of step 2 (index 5) lands after the trainer's step 3 (index 6)
        messy.set(5, clean.get(6));
        messy.set(6, clean.get(5));
        // re-sent events keep their eventId: the snapshot, a step, the verdict, the attempt, the completion
        messy.add(8, clean.get(4));
        messy.add(3, clean.get(2));
        messy.add(messy.size(), clean.get(10));
        messy.add(messy.size(), clean.get(11));
        messy.add(messy.size(), clean.get(clean.size() - 1));
        messy.add(messy.size(), clean.get(13));
        TorReport a = fold(clean);
        TorReport b = fold(messy);
        assertThat(b).isEqualTo(a);
        assertThat(b.getEventsFolded()).isEqualTo(clean.size());
    }

    @Test
    void queuedRunThenStartedRunWithoutSteps() {
        // submitted at 0, attempt 1 ready at 100 after 5 s init: QUEUED 95, INIT 5, T_obs 100, no step: TOR 0.
        TorLedger l = TorLedger.fold(List.of(
                f.submitted(at(0), 1.0, 10, 5),
                f.attemptStarted(at(100), 1, null, ns(5), 0)));
        TorReport r = l.report();
        assertThat(r.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(r.getTor()).isZero();
        assertBadput(r, 95, 5, 0, 0, 0, 0, 0, 0, 0);
        assertThat(r.getModel()).isNull();
    }
}
