package io.trainledger.checkpointer.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Durable, content-addressed storage of checkpoint bytes. An object is named by the hex SHA-256 of its content, so
 * the same bytes are stored once and a name says what the content must hash to. The filesystem implementation is
 * {@link FilesystemCheckpointStore}; an object store can implement the same contract later.
 *
 * <p>Contract of {@link #put}: when it returns, the object is durable (survives a crash of this process and of the
 * machine) and its content was read back and verified against its name; a reader never sees a partially written
 * object under a valid name.
 */
public interface CheckpointStore {

    /**
     * Copies {@code source} into the store under {@code expectedSha256}. If a verified object of that name already
     * exists, it is reused (nothing is written).
     *
     * @throws ContentMismatchException the source does not hash to {@code expectedSha256} or does not have
     *                                  {@code expectedBytes} bytes (negative = not checked); nothing is stored
     * @throws IOException              the store could not read or write (transient: retry)
     */
    StoredCheckpoint put(Path source, String expectedSha256, long expectedBytes) throws ContentMismatchException, IOException;

    /** The stored object of that name, if present (not verified: see {@link #verify}). */
    Optional<StoredCheckpoint> find(String sha256) throws IOException;

    /** Recomputes the hash of the stored object and compares it with its name. */
    Verification verify(String sha256) throws IOException;

    /** Opens the stored object for reading. */
    InputStream open(String sha256) throws IOException;

    /** Removes the object; false if there was none. */
    boolean delete(String sha256) throws IOException;

    /** Where an object of that name lives (the URI written into CheckpointCommitted). */
    URI uri(String sha256);

    /** Whether {@code sha256} is a well-formed object name: 64 lower-case hex digits. */
    static boolean isValidName(String sha256) {
        return sha256 != null && sha256.matches("[0-9a-f]{64}");
    }
}
