package io.trainledger.tor.core;

import io.trainledger.events.FailureType;
import io.trainledger.tor.FailureRate;
import io.trainledger.tor.Projection;
import io.trainledger.tor.TorModel;

import java.util.ArrayList;
import java.util.List;

/**
 * The TOR equations fitted to what a ledger observed (docs/TOR.md, "Fitting"). Rates are per second of exposure
 * (time attempts were running: T_obs minus queueing and recovery), so a failure process that only strikes running
 * work is measured at its true rate. Rollback failures feed the exponential model (M, R); STRAGGLER is fail-slow
 * and enters as a multiplicative (1 - lambda_s L_s); CHECKPOINT_CORRUPT (a rejected checkpoint, which stops nothing by
 * itself but makes the next rollback reach further back) enters the same way, (1 - lambda_c L_c), with L_c the
 * observed extra WASTED per rejection.
 *
 * @param tauSeconds   mean useful work between snapshots (snapshot step spacing x t_ideal)
 * @param deltaSeconds mean blocking save
 * @param mtbfSeconds  M over rollback failures (infinite when none)
 * @param repairSeconds R: mean detection + restart + init + restore of a rollback failure
 * @param ratesPerSecond lambda_i per failure type ordinal
 * @param meanLossSeconds L_i per failure type ordinal as observed (rollback: repair + wasted; fail-slow: slowdown;
 *     checkpoint corruption: the extra wasted work)
 * @param meanRepairSeconds R_i per failure type ordinal
 * @param counts failures per type ordinal
 */
public record TorModelFit(double tauSeconds, double deltaSeconds, double mtbfSeconds, double repairSeconds,
                          double exposureSeconds, double[] ratesPerSecond, double[] meanLossSeconds,
                          double[] meanRepairSeconds, long[] counts) {

    private static final int STRAGGLER = FailureType.STRAGGLER.ordinal();
    private static final int CORRUPT = FailureType.CHECKPOINT_CORRUPT.ordinal();

    static TorModelFit of(TorAccounting a) {
        if (a.idealStepNanos() <= 0 || a.preservedSteps() <= 0 || a.exposureNanos() <= 0) {
            return null;
        }
        double ideal = a.idealStepNanos() / 1e9;
        double exposure = a.exposureNanos() / 1e9;
        double tau = a.snapshots() > 0
                ? (double) a.snapshotIntervalStepsSum() / a.snapshots() * ideal
                : a.executedSteps() * ideal;
        double delta = a.snapshots() > 0 ? a.totalStallNanos() / 1e9 / a.snapshots() : 0;
        int n = FailureType.values().length;
        double[] rates = new double[n];
        double[] loss = new double[n];
        double[] repair = new double[n];
        long[] counts = new long[n];
        long rollbackCount = 0;
        double rollbackRepair = 0;
        for (FailureType type : FailureType.values()) {
            int i = type.ordinal();
            long[] at = a.attribution()[i];
            long c = at[TorLedger.A_COUNT];
            counts[i] = c;
            if (c == 0) {
                continue;
            }
            rates[i] = c / exposure;
            loss[i] = a.lossNanos(type) / 1e9 / c;
            double rep = (at[TorLedger.A_DETECTION] + at[TorLedger.A_RESTART] + at[TorLedger.A_INIT]
                    + at[TorLedger.A_RESTORE]) / 1e9;
            repair[i] = rep / c;
            if (rollback(i)) {
                rollbackCount += c;
                rollbackRepair += rep;
            }
        }
        double mtbf = rollbackCount == 0 ? Double.POSITIVE_INFINITY : exposure / rollbackCount;
        double r = rollbackCount == 0 ? 0 : rollbackRepair / rollbackCount;
        return new TorModelFit(tau, delta, mtbf, r, exposure, rates, loss, repair, counts);
    }

    /** Whether failures of this type ordinal restart the run (everything but fail-slow and checkpoint corruption). */
    static boolean rollback(int typeOrdinal) {
        return typeOrdinal != STRAGGLER && typeOrdinal != CORRUPT;
    }

    /** Fraction of time lost to fail-slow failures, lambda_s x L_s. */
    public double failSlowFraction() {
        return ratesPerSecond[STRAGGLER] * meanLossSeconds[STRAGGLER];
    }

    /** Fraction of time lost to rejected checkpoints (the extra rollback distance), lambda_c x L_c. */
    public double corruptionFraction() {
        return ratesPerSecond[CORRUPT] * meanLossSeconds[CORRUPT];
    }

    /** Exact exponential-failure (Daly) TOR at the observed interval, times the fail-slow factor. */
    public double predictedTor() {
        return predictedTor(tauSeconds, 1);
    }

    /**
     * Exact form at interval tau on scale x the hardware. The additive losses (fail-slow, checkpoint corruption) are
     * taken to scale with the hardware like failure rates do.
     */
    public double predictedTor(double tau, double scale) {
        double slow = Math.max(0, 1 - scale * (failSlowFraction() + corruptionFraction()));
        return TorEquations.exact(tau, deltaSeconds, repairSeconds, TorEquations.scaledMtbf(mtbfSeconds, scale)) * slow;
    }

    /**
     * First-order form: [tau/(tau+delta)] x [1 - sum_i lambda_i L_i], with L_i = R_i + (tau+delta)/2 for rollbacks
     * and the observed L_i for fail-slow and checkpoint corruption.
     */
    public double predictedTorFirstOrder() {
        double sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                continue;
            }
            sum += rollback(i)
                    ? ratesPerSecond[i] * TorEquations.rollbackLoss(meanRepairSeconds[i], tauSeconds, deltaSeconds)
                    : ratesPerSecond[i] * meanLossSeconds[i];
        }
        return TorEquations.firstOrder(tauSeconds, deltaSeconds, sum);
    }

    /** Young's interval sqrt(2 delta M) on scale x the hardware. */
    public double youngIntervalSeconds(double scale) {
        return TorEquations.youngInterval(deltaSeconds, TorEquations.scaledMtbf(mtbfSeconds, scale));
    }

    /** Daly's interval on scale x the hardware; the observed interval when it is not defined (no save cost or no failures). */
    public double dalyIntervalSeconds(double scale) {
        double m = TorEquations.scaledMtbf(mtbfSeconds, scale);
        if (deltaSeconds <= 0 || Double.isInfinite(m)) {
            return tauSeconds;
        }
        return TorEquations.dalyInterval(deltaSeconds, m);
    }

    /** The Avro form of the fit. */
    public TorModel toAvro(double... projectionScales) {
        List<FailureRate> rates = new ArrayList<>();
        for (FailureType type : FailureType.values()) {
            int i = type.ordinal();
            if (counts[i] == 0) {
                continue;
            }
            rates.add(FailureRate.newBuilder().setType(type).setCount(counts[i])
                    .setRatePerHour(ratesPerSecond[i] * 3600).setMeanLossSeconds(meanLossSeconds[i])
                    .setMeanRepairSeconds(meanRepairSeconds[i]).build());
        }
        List<Projection> projections = new ArrayList<>();
        for (double k : projectionScales) {
            double interval = dalyIntervalSeconds(k);
            projections.add(Projection.newBuilder().setScale(k).setIntervalSeconds(interval)
                    .setTor(predictedTor(interval, k)).build());
        }
        return TorModel.newBuilder()
                .setTauSeconds(tauSeconds).setDeltaSeconds(deltaSeconds).setMtbfSeconds(mtbfSeconds)
                .setRepairSeconds(repairSeconds).setExposureSeconds(exposureSeconds).setRates(rates)
                .setPredictedTor(predictedTor()).setPredictedTorFirstOrder(predictedTorFirstOrder())
                .setYoungIntervalSeconds(youngIntervalSeconds(1)).setDalyIntervalSeconds(dalyIntervalSeconds(1))
                .setProjections(projections).build();
    }
}
