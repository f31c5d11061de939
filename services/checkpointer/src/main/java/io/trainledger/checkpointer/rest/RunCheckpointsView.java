package io.trainledger.checkpointer.rest;

import java.util.List;

/** A run's live committed checkpoints, oldest first, with the policy retention applies. */
public record RunCheckpointsView(String runId, Integer intervalSteps, Boolean adaptive, Integer keepLast,
                                 Integer keepEvery, List<CheckpointView> checkpoints) {
}
