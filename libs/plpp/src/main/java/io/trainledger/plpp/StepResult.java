package io.trainledger.plpp;

/**
 * The facts of one optimizer step: step is the index of the step just done (0-based), epoch the
 * epoch it belonged to; losses are the values of this step's batch (a term not used by the method
 * is reported as computed, for monitoring, unless it was not computed at all: then NaN).
 */
public record StepResult(
        long step,
        int epoch,
        long stepNanos,
        double loss,
        double ceLoss,
        double pplLoss,
        double ipplLoss,
        double kgLoss,
        double accuracy,
        int samples,
        double lr) {

    public boolean finite() {
        return Double.isFinite(loss);
    }
}
