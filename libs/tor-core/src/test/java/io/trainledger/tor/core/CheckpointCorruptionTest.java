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
 * CHECKPOINT_CORRUPT, hand-worked (docs/TOR.md, "Checkpoint corruption"). A rejected checkpoint stops nothing: at
 * commit the run trains on; at restore the trainer falls back to an older checkpoint. Either way its cost is the work
 * between the checkpoint restored instead and the rejected one, charged as WASTED to CHECKPOINT_CORRUPT at the
 * rollback; the failure that caused the rollback keeps the rest. Times are seconds after submission; t_ideal 1 s.
 */
class CheckpointCorruptionTest {

    final RunEventFactory f = new RunEventFactory("run-cc", 43);

    List<RunEvent> rejectedAtCommitThenCrash() {
        // attempt 1 ready at 1 after 1 s init (QUEUED 0, INIT 1). steps 1, 2 end at 2, 3; snapshot 2 blocks
        // 3 -> 3.5, committed at 4. steps 3, 4 end at 4.5, 5.5; snapshot 4 blocks 5.5 -> 6 and is REJECTED at commit
        // (6.5; the monitor's verdict at 6.6). Training goes on: steps 5, 6 end at 7, 8.
        // CRASH verdict at 11 (last progress 8, step 6): DETECTION 3.
        // attempt 2 ready at 14 after init 1 + restore 0.5 from step 2 -> init began at 12.5: RESTART 11 -> 12.5 = 1.5.
        // WASTED = steps 3..6 = 4 s, of which steps 3, 4 (2 s: from the restored step 2 up to the rejected step 4)
        // are lost because 4 was rejected -> CHECKPOINT_CORRUPT, and steps 5, 6 (2 s) -> CRASH.
        // steps 3, 4 end at 15, 16; completed at 16.
        // T_obs 16 = T_opt 4 + INIT 2 + RESTORE 0.5 + STALL 1 + WASTED 4 + DETECTION 3 + RESTART 1.5, OTHER 0.
        return List.of(
                f.submitted(at(0), 1.0, 4, 2),
                f.attemptStarted(at(1), 1, null, ns(1), 0),
                f.step(at(2), 1, 1, ns(1)),
                f.step(at(3), 1, 2, ns(1)),
                f.snapshotted(at(3.5), 1, 2, ns(0.5)),
                f.committed(at(4), 1, 2),
                f.step(at(4.5), 1, 3, ns(1)),
                f.step(at(5.5), 1, 4, ns(1)),
                f.snapshotted(at(6), 1, 4, ns(0.5)),
                f.rejected(at(6.5), 1, 4, "sha256 mismatch"),
                f.failureDetected(at(6.6), 1, FailureType.CHECKPOINT_CORRUPT, at(6.5), 4),
                f.step(at(7), 1, 5, ns(1)),
                f.step(at(8), 1, 6, ns(1)),
                f.failureDetected(at(11), 1, FailureType.CRASH, at(8), 6),
                f.attemptStarted(at(14), 2, 2L, ns(1), ns(0.5)),
                f.recovered(at(14), 2, FailureType.CRASH, 2, 4, ns(6)),
                f.step(at(15), 2, 3, ns(1)),
                f.step(at(16), 2, 4, ns(1)),
                f.completed(at(16), 2, 4));
    }

    @Test
    void aCommitTimeRejectionLetsTrainingGoOnAndChargesTheNextRollback() {
        List<RunEvent> log = rejectedAtCommitThenCrash();

        // as of step 6 (8 s): still RUNNING, all six steps preserved, nothing charged but the rejection counted.
        // T_obs 8 = T_opt 6 + INIT 1 + STALL 1, OTHER 0.
        TorReport running = fold(log.subList(0, 13));
        assertThat(running.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.getPreservedSteps()).isEqualTo(6);
        assertBadput(running, 0, 1, 0, 1, 0, 0, 0, 0, 0);
        assertThat(attribution(running, FailureType.CHECKPOINT_CORRUPT).getCount()).isEqualTo(1);
        assertThat(attribution(running, FailureType.CHECKPOINT_CORRUPT).getWastedNanos()).isZero();

        TorReport r = fold(log);
        assertThat(r.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.getTObsNanos()).isEqualTo(ns(16));
        assertThat(r.getTOptNanos()).isEqualTo(ns(4));
        assertThat(r.getExecutedSteps()).isEqualTo(8);
        assertBadput(r, 0, 2, 0.5, 1, 4, 3, 1.5, 0, 0);
        FailureAttribution corrupt = attribution(r, FailureType.CHECKPOINT_CORRUPT);
        assertThat(corrupt.getCount()).isEqualTo(1);
        assertThat(corrupt.getWastedNanos()).isEqualTo(ns(2));
        assertThat(corrupt.getDetectionNanos() + corrupt.getRestartNanos() + corrupt.getInitNanos()
                + corrupt.getRestoreNanos()).as("a rejection restarts nothing").isZero();
        FailureAttribution crash = attribution(r, FailureType.CRASH);
        assertThat(crash.getCount()).isEqualTo(1);
        assertThat(crash.getDetectionNanos()).isEqualTo(ns(3));
        assertThat(crash.getRestartNanos()).isEqualTo(ns(1.5));
        assertThat(crash.getInitNanos()).isEqualTo(ns(1));
        assertThat(crash.getRestoreNanos()).isEqualTo(ns(0.5));
        assertThat(crash.getWastedNanos()).isEqualTo(ns(2));
    }

    @Test
    void aRejectionSupersededByALaterCommitCostsNothing() {
        // as the commit-time case, but snapshot 6 (blocks 8 -> 8.5) is committed at 9 before the crash: the restore
        // reaches step 6, so the rejection of 4 lost no work. CRASH verdict at 11 (last progress 8, but the snapshot
        // ended at 8.5): DETECTION 2.5. attempt 2 ready at 13 after restore 0.5 (init 0) from step 6 -> RESTART 1.5.
        // WASTED 0. step 7 ends at 14; completed at 14.
        // T_obs 14 = T_opt 7 + INIT 1 + RESTORE 0.5 + STALL 1.5 + DETECTION 2.5 + RESTART 1.5, OTHER 0.
        List<RunEvent> log = new ArrayList<>(rejectedAtCommitThenCrash().subList(0, 13));
        log.add(f.snapshotted(at(8.5), 1, 6, ns(0.5)));
        log.add(f.committed(at(9), 1, 6));
        log.add(f.failureDetected(at(11), 1, FailureType.CRASH, at(8), 6));
        log.add(f.attemptStarted(at(13), 2, 6L, 0, ns(0.5)));
        log.add(f.step(at(14), 2, 7, ns(1)));
        log.add(f.completed(at(14), 2, 7));
        TorReport r = fold(log);
        assertBadput(r, 0, 1, 0.5, 1.5, 0, 2.5, 1.5, 0, 0);
        assertThat(attribution(r, FailureType.CHECKPOINT_CORRUPT).getCount()).isEqualTo(1);
        assertThat(attribution(r, FailureType.CHECKPOINT_CORRUPT).getWastedNanos()).isZero();
    }

    List<RunEvent> rejectedAtRestore() {
        // attempt 1 ready at 1 after 1 s init. steps 1, 2 end at 2, 3; snapshot 2 blocks 3 -> 3.5, committed at 4.
        // steps 3, 4 end at 4.5, 5.5; snapshot 4 blocks 5.5 -> 6, committed at 6.5. step 5 ends at 7.
        // CRASH verdict at 10 (last progress 7, step 5): DETECTION 3.
        // attempt 2 restores: checkpoint 4 fails verification (the trainer's CheckpointRejected at 12, envelope
        // attempt 2; the monitor's verdict at 12.1) and it falls back to step 2.
        // attempt 2 ready at 13 after init 1 + restore 1 -> init began at 11: RESTART 10 -> 11 = 1.
        // WASTED = steps 3, 4, 5 = 3 s: steps 3, 4 (2 s, restored step 2 up to the rejected step 4) ->
        // CHECKPOINT_CORRUPT, step 5 (1 s, what the crash would have cost with a good checkpoint) -> CRASH.
        // steps 3, 4, 5 end at 14, 15, 16; completed at 16.
        // T_obs 16 = T_opt 5 + INIT 2 + RESTORE 1 + STALL 1 + WASTED 3 + DETECTION 3 + RESTART 1, OTHER 0.
        return List.of(
                f.submitted(at(0), 1.0, 5, 2),
                f.attemptStarted(at(1), 1, null, ns(1), 0),
                f.step(at(2), 1, 1, ns(1)),
                f.step(at(3), 1, 2, ns(1)),
                f.snapshotted(at(3.5), 1, 2, ns(0.5)),
                f.committed(at(4), 1, 2),
                f.step(at(4.5), 1, 3, ns(1)),
                f.step(at(5.5), 1, 4, ns(1)),
                f.snapshotted(at(6), 1, 4, ns(0.5)),
                f.committed(at(6.5), 1, 4),
                f.step(at(7), 1, 5, ns(1)),
                f.failureDetected(at(10), 1, FailureType.CRASH, at(7), 5),
                f.rejectedAtRestore(at(12), 2, 4, "sha256 mismatch: committed ..., file has ..."),
                f.failureDetected(at(12.1), 2, FailureType.CHECKPOINT_CORRUPT, at(12), 4),
                f.attemptStarted(at(13), 2, 2L, ns(1), ns(1)),
                f.recovered(at(13), 2, FailureType.CRASH, 2, 3, ns(6)),
                f.step(at(14), 2, 3, ns(1)),
                f.step(at(15), 2, 4, ns(1)),
                f.step(at(16), 2, 5, ns(1)),
                f.completed(at(16), 2, 5));
    }

    @Test
    void aRestoreTimeRejectionChargesTheExtraLostWorkToCorruption() {
        List<RunEvent> log = rejectedAtRestore();

        // while restoring (as of the verdict at 12.1) the run is RECOVERING from the crash, not from the rejection
        TorReport restoring = fold(log.subList(0, 14));
        assertThat(restoring.getStatus()).isEqualTo(RunStatus.RECOVERING);

        TorReport r = fold(log);
        assertThat(r.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.getTObsNanos()).isEqualTo(ns(16));
        assertThat(r.getTOptNanos()).isEqualTo(ns(5));
        assertThat(r.getPreservedSteps()).as("attempt 2's steps after the rejected step count").isEqualTo(5);
        assertThat(r.getExecutedSteps()).isEqualTo(8);
        assertBadput(r, 0, 2, 1, 1, 3, 3, 1, 0, 0);
        FailureAttribution corrupt = attribution(r, FailureType.CHECKPOINT_CORRUPT);
        assertThat(corrupt.getCount()).isEqualTo(1);
        assertThat(corrupt.getWastedNanos()).isEqualTo(ns(2));
        assertThat(corrupt.getDetectionNanos() + corrupt.getRestartNanos()).isZero();
        FailureAttribution crash = attribution(r, FailureType.CRASH);
        assertThat(crash.getCount()).isEqualTo(1);
        assertThat(crash.getDetectionNanos()).isEqualTo(ns(3));
        assertThat(crash.getRestartNanos()).isEqualTo(ns(1));
        assertThat(crash.getInitNanos()).isEqualTo(ns(1));
        assertThat(crash.getRestoreNanos()).isEqualTo(ns(1));
        assertThat(crash.getWastedNanos()).isEqualTo(ns(1));
    }

    @Test
    void twoRejectionsAtOneRestoreFallBackToScratchAndCountTwice() {
        // as the restore-time case, but checkpoint 2 fails too (at 12.5): attempt 2 starts from scratch at 13
        // (restoredFromStep null, restore 1). WASTED = steps 1..5 = 5 s: steps 1..4 (up to the newest rejected
        // checkpoint, 4) -> CHECKPOINT_CORRUPT 4 s, step 5 -> CRASH 1 s. Then steps 1..5 end at 14..18.
        // T_obs 18 = T_opt 5 + INIT 2 + RESTORE 1 + STALL 1 + WASTED 5 + DETECTION 3 + RESTART 1, OTHER 0.
        List<RunEvent> log = new ArrayList<>(rejectedAtRestore().subList(0, 14));
        log.add(f.rejectedAtRestore(at(12.5), 2, 2, "cannot restore: truncated"));
        log.add(f.failureDetected(at(12.6), 2, FailureType.CHECKPOINT_CORRUPT, at(12.5), 2));
        log.add(f.attemptStarted(at(13), 2, null, ns(1), ns(1)));
        for (int s = 1; s <= 5; s++) {
            log.add(f.step(at(13 + s), 2, s, ns(1)));
        }
        log.add(f.completed(at(18), 2, 5));
        TorReport r = fold(log);
        assertBadput(r, 0, 2, 1, 1, 5, 3, 1, 0, 0);
        assertThat(attribution(r, FailureType.CHECKPOINT_CORRUPT).getCount()).isEqualTo(2);
        assertThat(attribution(r, FailureType.CHECKPOINT_CORRUPT).getWastedNanos()).isEqualTo(ns(4));
        assertThat(attribution(r, FailureType.CRASH).getWastedNanos()).isEqualTo(ns(1));
    }

    @Test
    void reSentRejectionsAndVerdictsChangeNothing() {
        List<RunEvent> once = rejectedAtRestore();
        List<RunEvent> twice = new ArrayList<>(once);
        twice.add(15, once.get(12)); // the rejection again, after the new attempt started
        twice.add(16, once.get(13)); // and its verdict
        TorLedger a = TorLedger.fold(once);
        TorLedger b = TorLedger.fold(twice);
        assertThat(b.report()).isEqualTo(a.report());
        assertThat(b.toBytes()).isEqualTo(a.toBytes());
    }

    @Test
    void theStateBytesKeepTheRejectionAcrossARestart() {
        // fold up to the rejection, through toBytes/fromBytes (what a restarted state store gives back), then the rest
        List<RunEvent> log = rejectedAtRestore();
        TorLedger chunked = TorLedger.fold(log.subList(0, 13)).copy();
        log.subList(13, log.size()).forEach(chunked::apply);
        assertThat(chunked.report()).isEqualTo(fold(log));
        assertThat(chunked.toBytes()).isEqualTo(TorLedger.fold(log).toBytes());
    }
}
