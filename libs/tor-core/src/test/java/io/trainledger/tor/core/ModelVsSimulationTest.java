package io.trainledger.tor.core;

import io.trainledger.events.FailureType;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Long simulated runs against the TOR equations. Default: 12,000 and 20,000 failures (a few seconds);
 * {@code -Dtrainledger.full=true} runs five times longer.
 */
class ModelVsSimulationTest {

    static final boolean FULL = Boolean.getBoolean("trainledger.full");
    static final double STEP = 5;        // s, healthy step
    static final int INTERVAL = 12;      // steps between snapshots: tau = 60 s
    static final double TAU = STEP * INTERVAL;
    static final double DELTA = 3;       // s, blocking snapshot
    static final double INIT = 8;
    static final double RESTORE = 4;

    static FailureSimulator.Builder base(long seed) {
        return FailureSimulator.builder().seed(seed).steps(Long.MAX_VALUE).idealStepSeconds(STEP)
                .checkpointEverySteps(INTERVAL).checkpointStall(Distribution.constant(DELTA))
                .commitLag(Distribution.constant(0)).init(Distribution.constant(INIT))
                .restore(Distribution.constant(RESTORE));
    }

    /** Expected work lost per rollback failure: mean time into a segment of length s under Poisson(1/M) failures. */
    static double expectedLostWork(double s, double m) {
        return m - s / Math.expm1(s / m);
    }

    @Test
    void observedTorMatchesTheExactFormWithinTwoPercent() {
        // four rollback types, M_i = 4800 s each -> M = 1200 s.
        // repair R_i = detection + restart + init 8 + restore 4: CRASH 5 + 10 + 12 = 27, HANG 30 + 10 + 12 = 52,
        // NAN_LOSS 8 + 5 + 12 = 25, INFRA 20 + 30 + 12 = 62 -> R = (27 + 52 + 25 + 62) / 4 = 41.5 s (equal rates).
        long failures = FULL ? 50_000 : 12_000;
        FailureSimulator sim = base(11).stopAfterFailures(failures)
                .failure(FailureType.CRASH, 4800, Distribution.uniform(2, 8), Distribution.exponential(10))
                .failure(FailureType.HANG, 4800, Distribution.constant(30), Distribution.exponential(10))
                .failure(FailureType.NAN_LOSS, 4800, Distribution.uniform(4, 12), Distribution.constant(5))
                .failure(FailureType.INFRA, 4800, Distribution.constant(20), Distribution.exponential(30))
                .build();
        TorLedger ledger = TorLedger.create();
        FailureSimulator.Summary summary = sim.run(ledger::apply);
        assertThat(summary.totalFailures()).isGreaterThanOrEqualTo(10_000);
        TorAccounting acc = ledger.accounting();
        double exact = TorEquations.exact(TAU, DELTA, 41.5, 1200);
        // by hand: 60 e^(-41.5/1200) / (1200 (e^(63/1200) - 1)) = 57.960 / 64.684 = 0.8960
        assertThat(exact).isCloseTo(0.8960, within(0.001));
        assertThat(exact).isGreaterThan(0.8);
        assertThat(acc.tor()).isCloseTo(exact, within(0.02 * exact));
        // the model fitted from the events predicts it too
        TorModelFit fit = acc.fit();
        assertThat(fit.predictedTor()).isCloseTo(acc.tor(), within(0.02 * acc.tor()));
        assertThat(fit.tauSeconds()).isCloseTo(TAU, within(1e-9));
        assertThat(fit.deltaSeconds()).isCloseTo(DELTA, within(1e-9));
        assertThat(fit.mtbfSeconds()).isCloseTo(1200, within(0.05 * 1200));
        assertThat(fit.predictedTorFirstOrder()).isCloseTo(acc.tor(), within(0.03));
    }

    @Test
    void fittedRatesAndLossesMatchTheSimulatorWithinFivePercent() {
        // four rollback types, M_i = 4800 s -> M = 1200 s, segment s = tau + delta = 63 s.
        // expected lost work per failure E[x] = M - s / (e^(s/M) - 1) = 1200 - 63 / 0.053903 = 31.23 s
        // (completed steps go to WASTED, the partial step or stall to DETECTION: the fold's L_i holds both).
        // L_i = detection + restart + init 8 + restore 4 + E[x].
        // CHECKPOINT_CORRUPT: a quarter of the restores find the last committed checkpoint corrupt and fall back to
        // the one before: lambda_c = 0.25 / M (every restore after the first commit has a checkpoint to find bad),
        // and each such rejection loses exactly one more segment of steps, L_c = tau = 60 s (stalls are not steps).
        long failures = FULL ? 100_000 : 20_000;
        FailureSimulator sim = base(5).stopAfterFailures(failures)
                .failure(FailureType.CRASH, 4800, Distribution.uniform(2, 8), Distribution.exponential(10))
                .failure(FailureType.HANG, 4800, Distribution.constant(30), Distribution.exponential(10))
                .failure(FailureType.NAN_LOSS, 4800, Distribution.uniform(4, 12), Distribution.constant(5))
                .failure(FailureType.INFRA, 4800, Distribution.constant(20), Distribution.exponential(30))
                .corruptAtRestore(0.25)
                .build();
        TorLedger ledger = TorLedger.create();
        sim.run(ledger::apply);
        TorModelFit fit = ledger.accounting().fit();
        double ex = expectedLostWork(TAU + DELTA, 1200);
        assertThat(ex).isCloseTo(31.23, within(0.01));
        double[][] expected = {
                // type ordinal, rate per s, L_i
                {FailureType.CRASH.ordinal(), 1 / 4800.0, 5 + 10 + INIT + RESTORE + ex},
                {FailureType.HANG.ordinal(), 1 / 4800.0, 30 + 10 + INIT + RESTORE + ex},
                {FailureType.NAN_LOSS.ordinal(), 1 / 4800.0, 8 + 5 + INIT + RESTORE + ex},
                {FailureType.INFRA.ordinal(), 1 / 4800.0, 20 + 30 + INIT + RESTORE + ex},
                {FailureType.CHECKPOINT_CORRUPT.ordinal(), 0.25 / 1200.0, TAU},
        };
        for (double[] e : expected) {
            int i = (int) e[0];
            String type = FailureType.values()[i].name();
            assertThat(fit.counts()[i]).as(type + " count").isGreaterThan(3000);
            assertThat(fit.ratesPerSecond()[i]).as(type + " lambda").isCloseTo(e[1], within(0.05 * e[1]));
            assertThat(fit.meanLossSeconds()[i]).as(type + " L").isCloseTo(e[2], within(0.05 * e[2]));
        }
        // a rejection restarts nothing: M counts the four rollback types only
        assertThat(fit.mtbfSeconds()).isCloseTo(1200, within(0.05 * 1200));
        int c = FailureType.CHECKPOINT_CORRUPT.ordinal();
        assertThat(fit.meanRepairSeconds()[c]).isZero();
        assertThat(fit.corruptionFraction()).isCloseTo(0.25 / 1200 * TAU, within(0.1 * 0.25 / 1200 * TAU));
    }

    @Test
    void failSlowLossMatchesOneMinusRhoTimesDuration() {
        // stragglers only, factor 2 (rho = 1/2), duration U(100, 300) s, no stall: a period ends at the first step
        // boundary after its duration, overshooting by half a slow step (5 s) on average, so
        // L_s = (1 - rho) x (200 + 5) = 102.5 s; lambda_s = 1/1000 per s of exposure.
        int periods = FULL ? 30_000 : 6_000;
        FailureSimulator sim = FailureSimulator.builder().seed(3).idealStepSeconds(STEP).checkpointEverySteps(INTERVAL)
                .steps(Long.MAX_VALUE / 4).straggler(1000, 2.0, Distribution.uniform(100, 300), Distribution.constant(20))
                .steps(Math.round(periods * 1000 / STEP * 0.8))
                .build();
        TorLedger ledger = TorLedger.create();
        sim.run(ledger::apply);
        TorModelFit fit = ledger.accounting().fit();
        int s = FailureType.STRAGGLER.ordinal();
        assertThat(fit.counts()[s]).isGreaterThan(periods / 2);
        assertThat(fit.ratesPerSecond()[s]).isCloseTo(1 / 1000.0, within(0.05 / 1000));
        double expectedLoss = TorEquations.failSlowLoss(0.5, 205);
        assertThat(fit.meanLossSeconds()[s]).isCloseTo(expectedLoss, within(0.05 * expectedLoss));
        // and TOR = 1 - lambda_s L_s, here 1 - 0.1025 = 0.8975 (no rollback, no stall)
        assertThat(ledger.accounting().tor()).isCloseTo(1 - expectedLoss / 1000, within(0.02));
        assertThat(fit.predictedTor()).isCloseTo(ledger.accounting().tor(), within(0.02));
    }
}
