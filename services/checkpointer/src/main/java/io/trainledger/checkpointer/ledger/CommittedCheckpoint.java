package io.trainledger.checkpointer.ledger;

import java.time.Instant;

/**
 * A committed checkpoint as the ledger knows it (from a CheckpointCommitted event).
 *
 * @param runId        run
 * @param attempt      attempt of the snapshot
 * @param step         step the state is at
 * @param sha256       hex SHA-256 (its name in the store)
 * @param uri          durable location
 * @param bytes        size
 * @param persistNanos time the checkpointer spent making it durable
 * @param committedAt  event time of the commit
 */
public record CommittedCheckpoint(String runId, int attempt, long step, String sha256, String uri, long bytes,
                                  long persistNanos, Instant committedAt) {
}
