package io.trainledger.checkpointer.rest;

import io.trainledger.checkpointer.ledger.CommittedCheckpoint;
import java.time.Instant;

/** A committed checkpoint as the REST API shows it. */
public record CheckpointView(String runId, long step, int attempt, String sha256, String uri, long bytes,
                             long persistNanos, Instant committedAt, String download) {

    static CheckpointView of(CommittedCheckpoint c) {
        return new CheckpointView(c.runId(), c.step(), c.attempt(), c.sha256(), c.uri(), c.bytes(), c.persistNanos(),
                c.committedAt(), "/runs/" + c.runId() + "/checkpoints/" + c.step() + "/content");
    }
}
