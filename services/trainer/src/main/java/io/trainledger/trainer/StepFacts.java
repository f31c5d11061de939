package io.trainledger.trainer;

import io.trainledger.events.StepCompleted;
import java.time.Instant;

/**
 * What a step thread hands to the ledger emitter after each step: the run, the attempt, when the step ended and its
 * numbers, as primitives. The Avro payload, the envelope and its event id are made from it on the emitter thread,
 * so the step thread only allocates this record and enqueues it.
 */
public record StepFacts(String runId, int attempt, Instant endedAt, long step, int epoch, long stepNanos,
                        double loss, double ceLoss, double pplLoss, double ipplLoss, double kgLoss, double accuracy,
                        int samples, double lr) {

    /** The StepCompleted payload these facts describe. */
    public StepCompleted toPayload() {
        // The all-args constructor, not the builder: the builder validates and deep-copies every field.
        return new StepCompleted(step, epoch, stepNanos, loss, ceLoss, pplLoss, ipplLoss, kgLoss, accuracy, samples,
                lr);
    }
}
