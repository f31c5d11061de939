package io.trainledger.tor.core.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Detection scoring on hand-made ledgers: every expected number is worked out in the comments. */
class DetectionScoreTest {
    private static final long T0 = 1_772_366_400_000_000L; // 2026-03-01T12:00:00Z in micros

    private final List<RunEvent> ledger = new ArrayList<>();
    private final Map<String, RunEventFactory> runs = new HashMap<>();

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
        // events that are neither faults nor verdicts are ignored
        ledger.add(factory("b").step(at(12), 1, 1, 1_000_000));

        DetectionReport r = DetectionScore.defaults().score(ledger);
        assertThat(r.runs()).isEqualTo(2);
        TypeScore crash = r.of(FailureType.CRASH);
        assertThat(crash.injected()).isEqualTo(2);
        assertThat(crash.truePositives()).isEqualTo(2);
        assertThat(crash.duplicates()).isZero();
        assertThat(crash.precision()).isEqualTo(1.0);
        assertThat(crash.recall()).isEqualTo(1.0);
        // latencies 5 s and 6 s: nearest-rank p50 = ceil(0.5 x 2) = 1st = 5 s, p95 = ceil(0.95 x 2) = 2nd = 6 s
        assertThat(crash.latency(0.50)).isEqualTo(Duration.ofSeconds(5));
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(6));
        assertThat(r.of(FailureType.HANG).latency(0.5)).isEqualTo(Duration.ofSeconds(12));
        assertThat(r.overall().truePositives()).isEqualTo(3);
        assertThat(r.overall().recall()).isEqualTo(1.0);
        assertThat(r.of(FailureType.NAN_LOSS).injected()).as("a type that never occurred").isZero();
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
        // run c: a verdict at run b's fault time is not run b's: runs are scored separately
        detected("c", FailureType.CRASH, 61);

        DetectionReport r = DetectionScore.defaults().score(ledger);
        assertThat(r.runs()).isEqualTo(3);
        TypeScore crash = r.of(FailureType.CRASH);
        // CRASH: injected 2 (a@100, b@60), detected 4 (a@400, b@50, b@64, c@61), TP 1 (b@64)
        assertThat(crash.injected()).isEqualTo(2);
        assertThat(crash.detected()).isEqualTo(4);
        assertThat(crash.truePositives()).isEqualTo(1);
        assertThat(crash.missed()).isEqualTo(1);
        assertThat(crash.falseAlarms()).isEqualTo(3);
        assertThat(crash.duplicates()).as("none of the false alarms is near an answered fault").isZero();
        assertThat(crash.precision()).isEqualTo(0.25);
        assertThat(crash.recall()).isEqualTo(0.5);
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(4));
        TypeScore nan = r.of(FailureType.NAN_LOSS);
        assertThat(nan.recall()).isZero();
        assertThat(nan.precision()).isNaN();
        assertThat(nan.latency(0.5)).isNull();
        TypeScore hang = r.of(FailureType.HANG);
        assertThat(hang.falseAlarms()).isEqualTo(1);
        assertThat(hang.recall()).isNaN();
        // overall over CRASH and NAN_LOSS (the types with ground truth): 3 injected, 4 detected, 1 TP
        assertThat(r.overall().injected()).isEqualTo(3);
        assertThat(r.overall().detected()).isEqualTo(4);
        assertThat(r.overall().recall()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(r.overall().precision()).isEqualTo(0.25);
    }

    @Test
    void eachVerdictAnswersTheLatestFaultBeforeItAndRedeliveriesCountOnce() {
        // faults at 0 s and 30 s; a verdict at 32 s belongs to the 30 s fault (2 s), the 0 s one is missed
        fault("a", FailureType.CRASH, 0);
        fault("a", FailureType.CRASH, 30);
        RunEvent v = detected("a", FailureType.CRASH, 32);
        ledger.add(v); // redelivered: same eventId
        // a verdict 0.5 s before its fault (clock skew within the 1 s lead) still counts, with latency 0
        fault("b", FailureType.STRAGGLER, 10);
        detected("b", FailureType.STRAGGLER, 9.5);
        // a verdict 1.5 s before the fault is outside the lead: a false alarm, and the fault a miss
        fault("c", FailureType.STRAGGLER, 10);
        detected("c", FailureType.STRAGGLER, 8.5);

        DetectionReport r = DetectionScore.defaults().score(ledger);
        TypeScore crash = r.of(FailureType.CRASH);
        assertThat(crash.detected()).isEqualTo(1);
        assertThat(crash.truePositives()).isEqualTo(1);
        assertThat(crash.missed()).isEqualTo(1);
        assertThat(crash.latency(0.5)).isEqualTo(Duration.ofSeconds(2));
        TypeScore straggler = r.of(FailureType.STRAGGLER);
        // injected 2 (b, c), detected 2, TP 1 (b, latency 0)
        assertThat(straggler.truePositives()).isEqualTo(1);
        assertThat(straggler.missed()).isEqualTo(1);
        assertThat(straggler.falseAlarms()).isEqualTo(1);
        assertThat(straggler.latency(0.5)).isEqualTo(Duration.ZERO);
    }

    @Test
    void aFaultDetectedTwiceIsOneHitAndOneDuplicate() {
        // HANG at 20 s detected at 31 s (11 s) and again at 33 s (a second verdict of another eventId)
        fault("a", FailureType.HANG, 20);
        detected("a", FailureType.HANG, 31);
        detected("a", FailureType.HANG, 33);
        // a later HANG at 200 s detected once at 212 s: 200 s is beyond 33 s + lead, so the 33 s verdict cannot take it
        fault("a", FailureType.HANG, 200);
        detected("a", FailureType.HANG, 212);

        TypeScore hang = DetectionScore.defaults().score(ledger).of(FailureType.HANG);
        // injected 2, detected 3, TP 2 (31 s -> 20 s, 212 s -> 200 s), duplicate 1 (33 s), precision 2/3
        assertThat(hang.injected()).isEqualTo(2);
        assertThat(hang.detected()).isEqualTo(3);
        assertThat(hang.truePositives()).isEqualTo(2);
        assertThat(hang.duplicates()).isEqualTo(1);
        assertThat(hang.falseAlarms()).isEqualTo(1);
        assertThat(hang.precision()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(hang.recall()).isEqualTo(1.0);
        // latencies 11 s and 12 s
        assertThat(hang.latency(0.5)).isEqualTo(Duration.ofSeconds(11));
        assertThat(hang.latency(1.0)).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void verdictsOfATypeWithoutGroundTruthStayOutOfTheOverallScore() {
        // chaos injected a CRASH (detected); a real CheckpointRejected gave a CHECKPOINT_CORRUPT verdict
        fault("a", FailureType.CRASH, 10);
        detected("a", FailureType.CRASH, 16);
        detected("a", FailureType.CHECKPOINT_CORRUPT, 30);

        DetectionReport r = DetectionScore.defaults().score(ledger);
        assertThat(r.of(FailureType.CHECKPOINT_CORRUPT).detected()).isEqualTo(1);
        assertThat(r.of(FailureType.CHECKPOINT_CORRUPT).precision()).isZero();
        // overall = CRASH only: 1 injected, 1 detected, 1 TP
        assertThat(r.overall().detected()).isEqualTo(1);
        assertThat(r.overall().precision()).isEqualTo(1.0);
        assertThat(r.overall().latency(0.95)).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void latencyPercentilesUseNearestRank() {
        // 20 CRASH faults 1000 s apart, fault i detected after i seconds (i = 1..20):
        // p50 = ceil(0.50 x 20) = 10th = 10 s, p95 = ceil(0.95 x 20) = 19th = 19 s
        for (int i = 1; i <= 20; i++) {
            fault("r", FailureType.CRASH, 1000.0 * i);
            detected("r", FailureType.CRASH, 1000.0 * i + i);
        }
        TypeScore crash = DetectionScore.defaults().score(ledger).of(FailureType.CRASH);
        assertThat(crash.latency(0.50)).isEqualTo(Duration.ofSeconds(10));
        assertThat(crash.latency(0.95)).isEqualTo(Duration.ofSeconds(19));
        assertThat(crash.latency(1.0)).isEqualTo(Duration.ofSeconds(20));
        assertThatThrownBy(() -> crash.latency(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNarrowerWindowTurnsALateVerdictIntoAMissAndAFalseAlarm() {
        fault("a", FailureType.HANG, 0);
        detected("a", FailureType.HANG, 15);
        assertThat(new DetectionScore(Duration.ofSeconds(1), Duration.ofSeconds(20)).score(ledger)
                .of(FailureType.HANG).truePositives()).isEqualTo(1);
        TypeScore narrow = new DetectionScore(Duration.ofSeconds(1), Duration.ofSeconds(10)).score(ledger)
                .of(FailureType.HANG);
        assertThat(narrow.truePositives()).isZero();
        assertThat(narrow.missed()).isEqualTo(1);
        assertThat(narrow.falseAlarms()).isEqualTo(1);
        assertThatThrownBy(() -> new DetectionScore(Duration.ofSeconds(-1), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private RunEventFactory factory(String run) {
        return runs.computeIfAbsent(run, r -> new RunEventFactory(r, r.hashCode()));
    }

    private void fault(String run, FailureType type, double atSeconds) {
        long t = at(atSeconds);
        ledger.add(factory(run).faultInjected(t, 1, type, t, 1));
    }

    private RunEvent detected(String run, FailureType type, double atSeconds) {
        long t = at(atSeconds);
        RunEvent e = factory(run).failureDetected(t, 1, type, t - 1_000_000, 1);
        ledger.add(e);
        return e;
    }

    private static long at(double seconds) {
        return T0 + Math.round(seconds * 1e6);
    }
}
