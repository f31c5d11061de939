package io.trainledger.tor.core;

/**
 * The TOR equations (docs/TOR.md derives each one and names its source). All times in seconds, rates per second.
 *
 * <ul>
 *   <li>first-order: TOR ~= [tau/(tau+delta)] x [1 - sum_i lambda_i L_i] (TOR paper, Meta's ETTR model);</li>
 *   <li>exact exponential-failure form: TOR = tau e^(-R/M) / (M (e^((tau+delta)/M) - 1)) (Daly 2006);</li>
 *   <li>fail-slow loss (1 - rho) x D;</li>
 *   <li>Young's sqrt(2 delta M) and Daly's refined optimal checkpoint interval;</li>
 *   <li>projection to k times the hardware: failure rates scale with k.</li>
 * </ul>
 */
public final class TorEquations {

    private TorEquations() {
    }

    /**
     * First-order TOR, clamped to [0, 1].
     *
     * @param tau           checkpoint interval (compute between saves), s
     * @param delta         blocking save time, s
     * @param sumLambdaLoss sum over failure types of rate (1/s) x mean loss per failure (s); dimensionless
     */
    public static double firstOrder(double tau, double delta, double sumLambdaLoss) {
        requireNonNegative("tau", tau);
        requireNonNegative("delta", delta);
        if (tau == 0) {
            return 0;
        }
        return clamp01(tau / (tau + delta) * (1 - sumLambdaLoss));
    }

    /** Mean loss of one rollback failure in the first-order model: repair + half a segment, R + (tau+delta)/2. */
    public static double rollbackLoss(double repair, double tau, double delta) {
        return repair + (tau + delta) / 2;
    }

    /** First-order TOR for one rollback failure process of mean time between failures {@code mtbf} and repair R. */
    public static double firstOrderRollback(double tau, double delta, double repair, double mtbf) {
        double lambdaLoss = Double.isInfinite(mtbf) ? 0 : rollbackLoss(repair, tau, delta) / mtbf;
        return firstOrder(tau, delta, lambdaLoss);
    }

    /**
     * Exact exponential-failure (Daly) TOR: useful work tau per expected wall time M e^(R/M) (e^((tau+delta)/M) - 1).
     * With no failures (M infinite) it is tau / (tau + delta).
     */
    public static double exact(double tau, double delta, double repair, double mtbf) {
        requireNonNegative("tau", tau);
        requireNonNegative("delta", delta);
        requireNonNegative("repair", repair);
        if (!(mtbf > 0)) {
            throw new IllegalArgumentException("mtbf must be > 0, got " + mtbf);
        }
        if (tau == 0) {
            return 0;
        }
        if (Double.isInfinite(mtbf)) {
            return tau / (tau + delta);
        }
        double denom = mtbf * Math.expm1((tau + delta) / mtbf);
        double tor = tau * Math.exp(-repair / mtbf) / denom;
        return clamp01(tor);
    }

    /** Fail-slow loss: a period of length D at relative speed rho (0 < rho <= 1) loses (1 - rho) x D. */
    public static double failSlowLoss(double rho, double duration) {
        if (!(rho > 0 && rho <= 1)) {
            throw new IllegalArgumentException("rho must be in (0, 1], got " + rho);
        }
        requireNonNegative("duration", duration);
        return (1 - rho) * duration;
    }

    /** Young (1974): tau_opt = sqrt(2 delta M). */
    public static double youngInterval(double delta, double mtbf) {
        requireNonNegative("delta", delta);
        if (!(mtbf > 0)) {
            throw new IllegalArgumentException("mtbf must be > 0, got " + mtbf);
        }
        return Math.sqrt(2 * delta * mtbf);
    }

    /**
     * Daly (2006), higher-order estimate: tau_opt = sqrt(2 delta M) [1 + (1/3) sqrt(delta/(2M)) + (1/9) delta/(2M)] - delta
     * for delta < 2M, and M otherwise.
     */
    public static double dalyInterval(double delta, double mtbf) {
        requireNonNegative("delta", delta);
        if (!(mtbf > 0)) {
            throw new IllegalArgumentException("mtbf must be > 0, got " + mtbf);
        }
        if (Double.isInfinite(mtbf)) {
            return Double.POSITIVE_INFINITY;
        }
        if (delta >= 2 * mtbf) {
            return mtbf;
        }
        double x = delta / (2 * mtbf);
        return Math.sqrt(2 * delta * mtbf) * (1 + Math.sqrt(x) / 3 + x / 9) - delta;
    }

    /** MTBF on k times the hardware: rates scale with k, so M_k = M / k. */
    public static double scaledMtbf(double mtbf, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("scale must be > 0, got " + scale);
        }
        return mtbf / scale;
    }

    /**
     * Meta's ETTR first-order model for non-blocking checkpoints (arXiv 2410.21680): failures at
     * {@code failuresPerNodeDay} per node-day on {@code nodes} nodes, each costing the restart overhead u0 plus half a
     * checkpoint interval of lost work. Returns 1 - lambda (u0 + tau/2).
     */
    public static double metaEttr(double nodes, double failuresPerNodeDay, double u0Seconds, double intervalSeconds) {
        double lambdaPerSecond = nodes * failuresPerNodeDay / 86_400.0;
        return firstOrder(intervalSeconds, 0, lambdaPerSecond * rollbackLoss(u0Seconds, intervalSeconds, 0));
    }

    static double clamp01(double x) {
        if (Double.isNaN(x) || x < 0) {
            return 0;
        }
        return Math.min(1, x);
    }

    private static void requireNonNegative(String name, double v) {
        if (!(v >= 0) || Double.isNaN(v)) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + v);
        }
    }
}
