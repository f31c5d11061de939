package io.trainledger.plpp;

import java.util.Map;

/**
 * Accuracies (in [0, 1]) by split name ("base", "new" or "all") after {@code step} steps;
 * {@link #harmonicMean()} is HM = 2BN/(B+N) for base-to-new.
 */
public record EvaluationResult(PromptMethod method, long step, Map<String, Double> accuracy) {

    public double base() {
        return accuracy.getOrDefault("base", Double.NaN);
    }

    public double novel() {
        return accuracy.getOrDefault("new", Double.NaN);
    }

    public double all() {
        return accuracy.getOrDefault("all", Double.NaN);
    }

    public double harmonicMean() {
        return harmonicMean(base(), novel());
    }

    public static double harmonicMean(double b, double n) {
        return b + n == 0 ? 0 : 2 * b * n / (b + n);
    }
}
