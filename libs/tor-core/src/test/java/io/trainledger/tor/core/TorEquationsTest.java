package io.trainledger.tor.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TorEquationsTest {

    @Test
    void metasPublishedEttrCheck() {
        // 16,384 GPUs / 8 per node = 2,048 nodes; 6.5 failures per 1000 node-days -> lambda = 13.312 per day
        // = 13.312 / 1440 per minute. u0 = 5 min, non-blocking checkpoints (delta = 0):
        // 60-min interval: 1 - (13.312/1440) x (5 + 30) = 1 - 0.32356 = 0.676
        // 5-min interval:  1 - (13.312/1440) x (5 + 2.5) = 1 - 0.06933 = 0.931
        assertThat(TorEquations.metaEttr(2048, 6.5 / 1000, 300, 3600)).isCloseTo(0.676, within(0.0005));
        assertThat(TorEquations.metaEttr(2048, 6.5 / 1000, 300, 300)).isCloseTo(0.931, within(0.0005));
        // the study reads about 0.7 and 0.93
        assertThat(TorEquations.metaEttr(2048, 6.5 / 1000, 300, 3600)).isCloseTo(0.7, within(0.03));
    }

    @Test
    void youngAndDaly() {
        // Young: sqrt(2 x 60 x 36000) = sqrt(4,320,000) = 2078.46 s
        assertThat(TorEquations.youngInterval(60, 36_000)).isCloseTo(2078.46, within(0.01));
        // Daly: x = 60 / 72000 = 1/1200; 2078.46 x (1 + sqrt(1/1200)/3 + 1/10800) - 60 = 2078.46 x 1.0097151 - 60 = 2038.65
        assertThat(TorEquations.dalyInterval(60, 36_000)).isCloseTo(2038.65, within(0.05));
        // delta >= 2M: Daly's interval is M
        assertThat(TorEquations.dalyInterval(100, 40)).isEqualTo(40);
    }

    @Test
    void exactFormLimitsAndAgreementWithFirstOrder() {
        // no failures: tau / (tau + delta) = 600 / 630
        assertThat(TorEquations.exact(600, 30, 100, Double.POSITIVE_INFINITY)).isEqualTo(600.0 / 630.0);
        // rare failures: both forms agree to second order in (tau+delta)/M and R/M
        double exact = TorEquations.exact(600, 30, 120, 1e6);
        double first = TorEquations.firstOrderRollback(600, 30, 120, 1e6);
        assertThat(exact).isCloseTo(first, within(1e-4));
        // exact by hand: 600 e^(-0.1) / (1200 (e^(0.525) - 1)) = 542.902 / (1200 x 0.690479) = 0.65523
        assertThat(TorEquations.exact(600, 30, 120, 1200)).isCloseTo(0.65523, within(1e-4));
        // the optimum of the exact form is near Daly's interval: moving 20 % either way does not help
        double m = 36_000;
        double best = TorEquations.dalyInterval(60, m);
        double at = TorEquations.exact(best, 60, 300, m);
        assertThat(at).isGreaterThanOrEqualTo(TorEquations.exact(best * 0.8, 60, 300, m));
        assertThat(at).isGreaterThanOrEqualTo(TorEquations.exact(best * 1.2, 60, 300, m));
    }

    @Test
    void failSlowAndScaling() {
        // a 3x straggler (rho = 1/3) for 90 s loses 60 s
        assertThat(TorEquations.failSlowLoss(1.0 / 3, 90)).isCloseTo(60, within(1e-9));
        assertThat(TorEquations.scaledMtbf(3600, 4)).isEqualTo(900);
        assertThatThrownBy(() -> TorEquations.failSlowLoss(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TorEquations.exact(1, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        // more hardware, more failures, lower TOR
        assertThat(TorEquations.exact(600, 30, 120, 3600 / 8.0)).isLessThan(TorEquations.exact(600, 30, 120, 3600));
    }
}
