package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RunEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Detection scoring on hand-made ledgers: every number below is worked out in the comments. */
class DetectionScoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final EventSource TRAINER = RunEvents.source("trainer", "t");
    private static final EventSource MONITOR = RunEvents.source("failure-monitor", "m");

    private final List<RunEvent> ledger = new ArrayList<>();

    @Test
    void perfectDetectionHasPrecisionAndRecallOneAndTheLatencies() {
        // run a: CRASH at 10 s detected at 15 s (5 s); HANG at 40 s detected at 52 s (12 s)
        fault("a", FailureType.CRASH, 10);
        detected("a", FailureType.CRASH, 15);
        fault("a", FailureType.HANG, 40);
        detected("a", FailureType.HANG, 52);
        // run b: CRASH at 5 s detected at 11 s (6 s)
        fault("b", FailureType.CRASH, 5);
        detected("b", FailureType.CRASH, 11);

        DetectionScore.Report r = DetectionScore.defaults().score(ledger);
        assertThat(r.runs()).isEqualTo(2);
        DetectionScore.TypeScore crash = r.byType().get(FailureType.CRASH);
        assertThat(crash.injected()).isEqualTo(2);
        assertThat(crash.truePositives()).isEqualTo(2);
        assertThat(crash.precision()).isEqualTo(1.0);
        assertThat(crash.recall()).isEqualTo(1.0);
        // latencies 5 s and 6 s: nearest-rank p50 = 5 s, p95 = 6 s
        assertThat(crash.latency(0.50)).isEqualTo(Duration.ofSeconds(5));
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(6));
        assertThat(r.byType().get(FailureType.HANG).latency(0.5)).isEqualTo(Duration.ofSeconds(12));
        assertThat(r.overall().truePositives()).isEqualTo(3);
        assertThat(r.overall().recall()).isEqualTo(1.0);
        assertThat(r.format()).contains("CRASH", "HANG", "ALL (with truth)", "1.000", "5.000", "6.000");
    }

    @Test
    void missesFalseAlarmsWrongTypesAndLateVerdicts() {
        // run a: NAN_LOSS at 10 s, verdict typed HANG at 12 s: a NAN miss and a HANG false alarm
        fault("a", FailureType.NAN_LOSS, 10);
        detected("a", FailureType.HANG, 12);
        // run a: CRASH at 100 s, verdict at 400 s: beyond the 120 s window, so a miss and a false alarm
        fault("a", FailureType.CRASH, 100);
        detected("a", FailureType.CRASH, 400);
        // run b: a CRASH verdict at 50 s with no fault at all (false alarm); CRASH at 60 s detected at 64 s (hit)
        detected("b", FailureType.CRASH, 50);
        fault("b", FailureType.CRASH, 60);
        detected("b", FailureType.CRASH, 64);
        // run c: a verdict for a fault of run b's time is not run b's: runs are scored separately
        detected("c", FailureType.CRASH, 61);

        DetectionScore.Report r = DetectionScore.defaults().score(ledger);
        DetectionScore.TypeScore crash = r.byType().get(FailureType.CRASH);
        // CRASH: injected 2 (a@100, b@60), detected 4 (a@400, b@50, b@64, c@61), TP 1 (b@64)
        assertThat(crash.injected()).isEqualTo(2);
        assertThat(crash.detected()).isEqualTo(4);
        assertThat(crash.truePositives()).isEqualTo(1);
        assertThat(crash.precision()).isEqualTo(0.25);
        assertThat(crash.recall()).isEqualTo(0.5);
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(4));
        DetectionScore.TypeScore nan = r.byType().get(FailureType.NAN_LOSS);
        assertThat(nan.recall()).isZero();
        assertThat(nan.precision()).isNaN();
        assertThat(nan.latency(0.5)).isNull();
        DetectionScore.TypeScore hang = r.byType().get(FailureType.HANG);
        assertThat(hang.falseAlarms()).isEqualTo(1);
        assertThat(hang.recall()).isNaN();
        // overall over CRASH and NAN_LOSS (the types with ground truth): 3 injected, 4 detected, 1 TP
        assertThat(r.overall().injected()).isEqualTo(3);
        assertThat(r.overall().detected()).isEqualTo(4);
        assertThat(r.overall().recall()).isCloseTo(1 / 3.0, within(1e-12));
    }

    @Test
    void eachVerdictAnswersTheLatestFaultBeforeItAndDuplicatesCountOnce() {
        // faults at 0 s and 30 s; a verdict at 32 s belongs to the 30 s fault (2 s), the 0 s one is missed
        fault("a", FailureType.CRASH, 0);
        fault("a", FailureType.CRASH, 30);
        RunEvent v = detected("a", FailureType.CRASH, 32);
        ledger.add(v); // redelivered: same eventId
        // a verdict 0.5 s before its fault (clock skew within the 1 s lead) still counts, with latency 0
        fault("b", FailureType.STRAGGLER, 10);
        detected("b", FailureType.STRAGGLER, 9.5);

        DetectionScore.Report r = DetectionScore.defaults().score(ledger);
        DetectionScore.TypeScore crash = r.byType().get(FailureType.CRASH);
        assertThat(crash.detected()).isEqualTo(1);
        assertThat(crash.truePositives()).isEqualTo(1);
        assertThat(crash.missed()).isEqualTo(1);
        assertThat(crash.latency(0.5)).isEqualTo(Duration.ofSeconds(2));
        DetectionScore.TypeScore straggler = r.byType().get(FailureType.STRAGGLER);
        assertThat(straggler.truePositives()).isEqualTo(1);
        assertThat(straggler.latency(0.5)).isEqualTo(Duration.ZERO);
    }

    @Test
    void latencyPercentilesUseNearestRank() {
        // 20 CRASH faults each detected after i seconds (i = 1..20): p50 = 10 s, p95 = 19 s
        for (int i = 1; i <= 20; i++) {
            fault("r", FailureType.CRASH, 1000.0 * i);
            detected("r", FailureType.CRASH, 1000.0 * i + i);
        }
        DetectionScore.TypeScore crash = DetectionScore.defaults().score(ledger).byType().get(FailureType.CRASH);
        assertThat(crash.latency(0.50)).isEqualTo(Duration.ofSeconds(10));
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(19));
    }

    private void fault(String run, FailureType type, double atSeconds) {
        Instant t = at(atSeconds);
        ledger.add(RunEvents.at(run, 1, TRAINER, t, FaultInjected.newBuilder().setType(type).setPlannedAt(t)
                .setStep(1).setParameters(Map.of()).build()));
    }

    private RunEvent detected(String run, FailureType type, double atSeconds) {
        Instant t = at(atSeconds);
        RunEvent e = RunEvents.at(run, 1, MONITOR, t, FailureDetected.newBuilder().setType(type)
                .setLastProgressTime(t.minusSeconds(1)).setDetectedTime(t).setStep(1).setFailedAttempt(1)
                .setEvidence("test").build());
        ledger.add(e);
        return e;
    }

    private static Instant at(double seconds) {
        return T0.plusMillis(Math.round(seconds * 1000));
    }
}
