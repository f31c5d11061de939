package io.trainledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.schemas.RunEvents;
import io.trainledger.tor.Badput;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.WindowTor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The live view's fold and its text, on a scripted ledger with hand-computed expectations. */
class RunViewTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final EventSource TRAINER = RunEvents.source("trainer", "t1");

    static RunEvent at(double seconds, int attempt, SpecificRecord payload) {
        return RunEvents.at("r1", attempt, TRAINER, T0.plusMillis((long) (seconds * 1000)), payload);
    }

    static RunEvent submitted(long steps) {
        RunConfig config = RunConfig.newBuilder().setMethod(PromptMethod.PLPP).setDataset("hue-shift").setSeed(1)
                .setSteps(steps).setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(10).build()).build();
        return at(0, 0, RunSubmitted.newBuilder().setConfig(config).build());
    }

    static StepCompleted step(long n, double loss) {
        return StepCompleted.newBuilder().setStep(n).setEpoch(0).setStepNanos(400_000_000L).setLoss(loss)
                .setCeLoss(loss - 0.5).setPplLoss(0.25).setIpplLoss(0.125).setAccuracy(0.5).setSamples(32).setLr(0.002).build();
    }

    static AttemptStarted attempt(int n, Long restoredFrom) {
        return AttemptStarted.newBuilder().setAttempt(n).setRestoredFromStep(restoredFrom).setInitNanos(1_000_000_000L)
                .setRestoreNanos(0).setDevice("cpu").build();
    }

    /** Submitted (100 steps), attempt 1 at 1 s, steps 1..20 every 0.5 s, checkpoint at 10, CRASH injected at step 20. */
    static RunView midRun() {
        RunView v = new RunView("r1");
        v.apply(submitted(100));
        v.apply(at(1, 1, attempt(1, null)));
        for (int i = 1; i <= 20; i++) {
            v.apply(at(1 + 0.5 * i, 1, step(i, 3.0 - 0.05 * i)));
        }
        v.apply(at(6.2, 1, CheckpointCommitted.newBuilder().setStep(10).setUri("file:///c/10").setSha256("ab").setBytes(4096)
                .setPersistNanos(1_000_000).build()));
        v.apply(at(11.0, 1, FaultInjected.newBuilder().setType(FailureType.CRASH).setPlannedAt(T0.plusSeconds(11)).setStep(20).build()));
        return v;
    }

    @Test
    void foldsProgressRateAndEta() {
        RunView v = midRun();
        assertThat(v.phase()).isEqualTo(RunView.Phase.RUNNING);
        assertThat(v.method()).isEqualTo("PLPP");
        assertThat(v.step()).isEqualTo(20);
        assertThat(v.committedStep()).isEqualTo(10);
        // 19 steps between the first and the last sample, 9.5 s apart: 2 steps/s; 80 steps left: 40 s.
        assertThat(v.stepsPerSecond()).isEqualTo(2.0);
        assertThat(v.eta()).isEqualTo(Duration.ofSeconds(40));
        assertThat(v.injected()).isEqualTo(Map.of("CRASH", 1));
    }

    @Test
    void failureDetectionAndRecoveryMoveThePhaseAndAreLogged() {
        RunView v = midRun();
        v.apply(at(16.5, 1, FailureDetected.newBuilder().setType(FailureType.CRASH).setLastProgressTime(T0.plusSeconds(11))
                .setDetectedTime(T0.plusMillis(16_500)).setStep(20).setFailedAttempt(1).setEvidence("no heartbeat for 5.5 s").build()));
        assertThat(v.phase()).isEqualTo(RunView.Phase.RECOVERING);
        v.apply(at(25, 2, attempt(2, 10L)));
        assertThat(v.step()).isEqualTo(10);
        assertThat(v.stepsPerSecond()).isNaN(); // a new attempt starts a new rate
        v.apply(at(25.1, 2, RecoveryCompleted.newBuilder().setAttempt(2).setRestoredStep(10).setLostSteps(10)
                .setFailureType(FailureType.CRASH).setRecoveryNanos(14_000_000_000L).build()));
        assertThat(v.phase()).isEqualTo(RunView.Phase.RUNNING);
        assertThat(v.incidents()).extracting(RunView.Incident::kind).containsExactly("injected", "detected", "recovered");
        assertThat(v.incidents().get(1).detail()).isEqualTo("at step 20 after 5.5 s: no heartbeat for 5.5 s");
        assertThat(v.incidents().get(2).detail()).isEqualTo("attempt 2 from step 10, 10 steps lost, 14.0 s");
        // A late step of the failed attempt does not move the view back.
        v.apply(at(25.2, 1, step(21, 1.0)));
        assertThat(v.step()).isEqualTo(10);
    }

    @Test
    void duplicatesAreIgnoredAndTheEndNeedsTheFinalReport() {
        RunView v = midRun();
        RunEvent done = at(60, 1, RunCompleted.newBuilder().setFinalStep(100).setMetrics(Map.of("hm", 0.75)).build());
        v.apply(done);
        v.apply(done);
        assertThat(v.phase()).isEqualTo(RunView.Phase.COMPLETED);
        assertThat(v.isSettled()).isFalse();
        v.apply(report(RunStatus.RUNNING, 0.5, 90));
        assertThat(v.isSettled()).isFalse();
        v.apply(report(RunStatus.COMPLETED, 0.8, 120));
        assertThat(v.isSettled()).isTrue();
        v.apply(report(RunStatus.RUNNING, 0.5, 90)); // an older report arriving late does not replace it
        assertThat(v.report().getTor()).isEqualTo(0.8);
    }

    static TorReport report(RunStatus status, double tor, long events) {
        Badput b = Badput.newBuilder().setQueuedNanos(1_000_000_000L).setInitNanos(2_000_000_000L).setRestoreNanos(0)
                .setCheckpointStallNanos(500_000_000L).setWastedNanos(4_000_000_000L).setDetectionNanos(5_500_000_000L)
                .setRestartNanos(3_000_000_000L).setSlowdownNanos(0).setOtherNanos(250_000_000L).build();
        return TorReport.newBuilder().setRunId("r1").setAsOfEventTime(T0.plusSeconds(60)).setEventsFolded(events)
                .setStatus(status).setTor(tor).setTObsNanos(60_000_000_000L).setTOptNanos(43_750_000_000L)
                .setPreservedSteps(100).setExecutedSteps(110).setIdealStepNanos(437_500_000L).setIdealStepEstimated(true)
                .setBadput(b).setFailures(List.of())
                .setWindows(List.of(WindowTor.newBuilder().setWindowSeconds(60).setTor(0.6).setTObsNanos(60_000_000_000L)
                        .setTOptNanos(36_000_000_000L).build()))
                .build();
    }

    @Test
    void rendersTheExactView() {
        RunView v = midRun();
        v.apply(report(RunStatus.RUNNING, 0.7291, 40));
        List<String> lines = new RunViewRenderer(100, ZoneOffset.UTC).render(v);
        assertThat(lines).containsExactly(
                "Run r1  PLPP  attempt 1  RUNNING",
                "[##########........................................] 20/100 steps  20.0%  ETA 40.0 s  2.0 steps/s",
                "loss 2.0000  ce 1.5000  ppl 0.2500  ippl 0.1250  acc 0.50  lr 2.00e-03",
                "TOR 0.729  last 1m00s: 0.600   badput: detection 5.5 s, wasted 4.0 s, restart 3.0 s",
                "faults injected 1 (CRASH 1)  detected 0  recovered 0  committed step 10",
                "  10:00:11 injected  CRASH     at step 20");
    }

    @Test
    void longLinesAreCutToTheWidthAndBeforeAnyReportTheViewSaysSo() {
        RunView v = new RunView("a-very-long-run-identifier-that-goes-on-and-on");
        List<String> lines = new RunViewRenderer(40, ZoneOffset.UTC).render(v);
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
        assertThat(lines.get(0)).endsWith("~");
        assertThat(lines.get(2)).isEqualTo("loss -");
        assertThat(lines.get(3)).startsWith("TOR -");
        assertThat(lines.get(1)).contains("0/? steps").contains("ETA ?");
    }

    @Test
    void durationsReadNaturally() {
        assertThat(RunViewRenderer.duration(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(RunViewRenderer.duration(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
        assertThat(RunViewRenderer.duration(Duration.ofSeconds(245))).isEqualTo("4m05s");
        assertThat(RunViewRenderer.duration(Duration.ofSeconds(3720))).isEqualTo("1h02m");
    }

    @Test
    void theSummaryShowsTheTimeIdentityAndEveryBucketWithItsShare() {
        List<String> lines = TorReportSummary.lines(report(RunStatus.COMPLETED, 0.7291, 120));
        assertThat(lines.get(0)).isEqualTo("TOR 0.7291  (run r1, COMPLETED, 120 events folded)");
        // 60 s observed = 43.75 s optimal + 16.25 s of badput.
        assertThat(lines.get(1)).isEqualTo("  T_obs 1m00s = T_opt 43.8 s + badput 16.3 s");
        assertThat(lines).contains("  detection              5.5 s    9.2%", "  wasted                 4.0 s    6.7%",
                "  Per failure type (recovery badput):".substring(2), "  none", "  not enough observations yet");
    }
}
