package io.trainledger.tor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sliding windows' step counts, worked by hand: a 60 s window has 1 s slots, a 120 s window 2 s slots. */
class StepWindowsTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aRollbackTakesItsLostStepsOffTheNewestSlotsOfEveryWindow() {
        StepWindows w = new StepWindows(new long[] {60, 120});
        for (long t : new long[] {S / 2, 3 * S / 2, 5 * S / 2, 7 * S / 2}) {
            w.addStep(t); // slots 0, 1, 2, 3 of the 60 s window; 0, 0, 1, 1 of the 120 s one
        }
        assertThat(w.steps(0, 4 * S)).isEqualTo(4);
        assertThat(w.steps(1, 4 * S)).isEqualTo(4);

        w.removeNewest(3); // 60 s: slots 3, 2, 1 emptied; 120 s: slot 1 (2 steps) then one of slot 0
        assertThat(w.steps(0, 4 * S)).isEqualTo(1);
        assertThat(w.steps(1, 4 * S)).as("each window loses the 3 steps, not 3 in all").isEqualTo(1);
    }

    @Test
    void aWindowCountsOnlyTheSlotsItCovers() {
        StepWindows w = new StepWindows(new long[] {60});
        w.addStep(-5 * S); // before the run's origin: counted in slot 0
        w.addStep(10 * S);
        // as of 59 s the 60 s window covers slots 0..59: both steps
        assertThat(w.steps(0, 59 * S)).isEqualTo(2);
        assertThat(w.startNanos(0, 59 * S)).isEqualTo(0);
        w.addStep(70 * S);
        // as of 70.5 s it covers slots 11..70: only the step at 70 s (the ring has let slots 0..10 go)
        assertThat(w.steps(0, 70 * S + S / 2)).isEqualTo(1);
        assertThat(w.startNanos(0, 70 * S + S / 2)).isEqualTo(11 * S);
        assertThat(w.startNanos(0, 30 * S)).as("before a whole window has passed").isEqualTo(-29 * S);
    }

    @Test
    void aWindowMustBeAPositiveMultipleOfItsSixtySlots() {
        assertThatThrownBy(() -> new StepWindows(new long[] {90})).hasMessageContaining("multiple of 60");
        assertThatThrownBy(() -> new StepWindows(new long[] {0})).isInstanceOf(IllegalArgumentException.class);
    }
}
