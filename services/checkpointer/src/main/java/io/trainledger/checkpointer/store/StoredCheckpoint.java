package io.trainledger.checkpointer.store;

import java.net.URI;

/**
 * An object in a {@link CheckpointStore}.
 *
 * @param sha256 hex SHA-256 of the content (its name)
 * @param bytes  size in bytes
 * @param uri    durable location
 */
public record StoredCheckpoint(String sha256, long bytes, URI uri) {
}
