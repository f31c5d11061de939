package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainledger.events.FailureType;
import org.junit.jupiter.api.Test;

/** The store's value encoding round-trips, and the rolling median is the median of the window. */
class RunWatchTest {

    @Test
    void roundTripsThroughItsBytes() {
        RunWatch w = new RunWatch();
        w.attempt = 3;
        w.attemptStarted = true;
        w.lastStep = 120;
        w.lastProgressMicros = 1_700_000_000_000_123L;
        w.lastHeartbeatMicros = 1_700_000_000_500_000L;
        w.heartbeatStep = 121;
        w.stragglerOpen = true;
        w.slowOnsetStep = 100;
        w.attemptStartMicros = 1_699_999_999_000_000L;
        w.attemptStartStep = 90;
        w.warmupSlowSteps = 7;
        w.pendingAttempt = 2;
        w.pendingType = FailureType.HANG;
        w.pendingStep = 80;
        for (long d = 1; d <= 70; d++) {
            w.addStepSample(d * 1_000_000, 64);
        }
        w.addVerdict(RunWatch.verdictKey(FailureType.HANG, 2, 80, 5_000_000));
        w.addVerdict(RunWatch.verdictKey(FailureType.STRAGGLER, 3, 100, 6_000_000));
        w.addVerdict(RunWatch.verdictKey(FailureType.CHECKPOINT_CORRUPT, 3, 90, 7_000_000));

        RunWatch back = RunWatch.fromBytes(w.toBytes());
        assertThat(back).usingRecursiveComparison().isEqualTo(w);
        assertThat(back.toBytes()).isEqualTo(w.toBytes());
        assertThat(back.hasVerdict("2:HANG")).isTrue();
        assertThat(back.hasVerdict("3:STRAGGLER:100")).isTrue();
        assertThat(back.hasVerdict("3:CHECKPOINT_CORRUPT:90@7000000")).isTrue();
        assertThat(w.toBytes().length).isLessThan(1024);
    }

    /**
     * A state written by a version-2 monitor (before the warm-up) still reads: its attempt is judged as before, warm.
     * The version-2 bytes are the version-3 encoding without the 21 bytes of the warm-up fields, which follow the step
     * window: offset = version 1 + attempt 4 + two booleans 2 + six longs 48 + boolean 1 + three longs 24 + three
     * ints 12 + 8 per step sample.
     */
    @Test
    void aVersionTwoStateReadsAsAWarmAttempt() {
        RunWatch w = new RunWatch();
        w.attempt = 2;
        w.attemptStarted = true;
        w.lastStep = 55;
        w.slowStreak = 3;
        w.slowOnsetStep = 52;
        w.pendingType = FailureType.CRASH;
        for (long d = 1; d <= 12; d++) {
            w.addStepSample(d * 1_000, 64);
        }
        w.attemptStartMicros = 123;
        w.attemptStartStep = 40;
        w.warmedUp = false;
        w.warmupSlowSteps = 4;
        byte[] v3 = w.toBytes();
        int at = 92 + 8 * 12;
        byte[] v2 = new byte[v3.length - 21];
        System.arraycopy(v3, 0, v2, 0, at);
        System.arraycopy(v3, at + 21, v2, at, v3.length - at - 21);
        v2[0] = 2;

        RunWatch back = RunWatch.fromBytes(v2);
        assertThat(back.warmedUp).isTrue();
        assertThat(back.attemptStartMicros).isZero();
        assertThat(back).usingRecursiveComparison()
                .ignoringFields("warmedUp", "attemptStartMicros", "attemptStartStep", "warmupSlowSteps").isEqualTo(w);
        assertThatThrownBy(() -> RunWatch.fromBytes(new byte[] {4})).hasMessageContaining("unknown RunWatch state");
    }

    @Test
    void theMedianCoversTheLastWindowOfSteps() {
        RunWatch w = new RunWatch();
        for (long d = 1; d <= 9; d++) {
            w.addStepSample(d, 5);
        }
        // window of 5 holds 5..9: median 7
        assertThat(w.medianStepNanos(1)).isEqualTo(7);
        assertThat(w.medianStepNanos(6)).as("fewer samples than required").isZero();
        w.addStepSample(100, 6); // a larger window keeps what there is: 5..9, 100 -> (7 + 8) / 2
        assertThat(w.medianStepNanos(1)).isEqualTo(7);
    }
}
