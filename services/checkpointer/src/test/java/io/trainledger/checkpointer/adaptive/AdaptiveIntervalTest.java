package io.trainledger.checkpointer.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.trainledger.checkpointer.adaptive.AdaptiveInterval.Formula;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval.Observations;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval.Recommendation;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval.Settings;
import io.trainledger.events.CheckpointPolicy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases. delta = 2 s, 4 failures in 1600 s so M = 400 s, steps of 0.5 s:
 * Young sqrt(2 x 2 x 400) = sqrt(1600) = 40 s = 80 steps;
 * Daly x = delta / 2M = 0.0025, sqrt(x) = 0.05: 40 x (1 + 0.05/3 + 0.0025/9) - 2 = 40 x 1.0169444 - 2 = 38.677778 s
 * = 77.36 steps, rounded to 77.
 */
class AdaptiveIntervalTest {
    private static final Observations OBS = new Observations(10, 2.0, 3000, 0.5, 4, 1600);

    @Test
    void youngOptimumInSteps() {
        AdaptiveInterval young = new AdaptiveInterval(settings(Formula.YOUNG, 0.2));
        assertThat(OBS.mtbfSeconds()).isEqualTo(400.0);
        assertThat(young.optimalSeconds(2, 400)).isEqualTo(40.0);
        assertThat(young.optimalSteps(OBS)).contains(80);
        Recommendation r = young.evaluate(policy(50, true), 50, OBS).orElseThrow();
        assertThat(r.optimalSteps()).isEqualTo(80);
        assertThat(r.optimalSeconds()).isEqualTo(40.0);
        assertThat(r.reason()).startsWith("Young optimum moved from 50 to 80 steps");
        assertThat(r.apply(policy(50, true)).getIntervalSteps()).isEqualTo(80);
        assertThat(r.apply(policy(50, true)).getKeepLast()).isEqualTo(3);
    }

    @Test
    void dalyOptimumInSteps() {
        AdaptiveInterval daly = new AdaptiveInterval(settings(Formula.DALY, 0.2));
        assertThat(daly.optimalSeconds(2, 400)).isCloseTo(38.677778, within(1e-6));
        assertThat(daly.optimalSteps(OBS)).contains(77);
        assertThat(daly.evaluate(policy(50, true), 50, OBS).map(Recommendation::optimalSteps)).contains(77);
    }

    @Test
    void aSmallMoveBelowTheThresholdIsNotProposed() {
        AdaptiveInterval daly = new AdaptiveInterval(settings(Formula.DALY, 0.2));
        // |77 - 70| / 70 = 0.1 <= 0.2; |77 - 60| / 60 = 0.283 > 0.2.
        assertThat(daly.evaluate(policy(70, true), 70, OBS)).isEmpty();
        assertThat(daly.evaluate(policy(60, true), 60, OBS)).isPresent();
    }

    @Test
    void onlyAdaptivePoliciesAndOnlyWhenSwitchedOn() {
        assertThat(new AdaptiveInterval(settings(Formula.DALY, 0.2)).evaluate(policy(50, false), 50, OBS)).isEmpty();
        Settings off = new Settings(false, 0.2, Formula.DALY, 1, 1, 1, 100_000);
        assertThat(new AdaptiveInterval(off).evaluate(policy(50, true), 50, OBS)).isEmpty();
    }

    @Test
    void noEstimateWithoutFailuresSnapshotsOrSteps() {
        AdaptiveInterval daly = new AdaptiveInterval(settings(Formula.DALY, 0.2));
        assertThat(daly.optimalSteps(new Observations(10, 2.0, 3000, 0.5, 0, 1600))).isEmpty();
        assertThat(daly.optimalSteps(new Observations(0, 0, 3000, 0.5, 4, 1600))).isEmpty();
        assertThat(daly.optimalSteps(new Observations(10, 2.0, 0, 0, 4, 1600))).isEmpty();
    }

    @Test
    void proposalIsClamped() {
        // M = 20 s / 10 = 2 s, delta = 0.01 s: Young sqrt(2 x 0.01 x 2) = 0.2 s = 0 steps of 1 s: clamped to 5.
        Settings clamped = new Settings(true, 0.2, Formula.YOUNG, 1, 1, 5, 60);
        AdaptiveInterval young = new AdaptiveInterval(clamped);
        assertThat(young.optimalSteps(new Observations(1, 0.01, 100, 1.0, 10, 20))).contains(5);
        assertThat(young.optimalSteps(OBS)).contains(60);
        Optional<Recommendation> r = young.evaluate(policy(50, true), 50, OBS);
        assertThat(r).isEmpty(); // 60 vs 50 is exactly 0.2: not more than the threshold
    }

    private static Settings settings(Formula formula, double threshold) {
        return new Settings(true, threshold, formula, 1, 1, 1, 100_000);
    }

    private static CheckpointPolicy policy(int interval, boolean adaptive) {
        return CheckpointPolicy.newBuilder().setIntervalSteps(interval).setAdaptive(adaptive).build();
    }
}
