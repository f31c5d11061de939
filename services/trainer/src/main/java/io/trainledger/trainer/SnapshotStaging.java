package io.trainledger.trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The staging side of the contract with the checkpointer: a snapshot's bytes are written to
 * {@code <data-dir>/staging/<runId>/step-<step>-attempt-<attempt>.plppstate} (temporary file, fsync, atomic rename),
 * so a file that exists under its final name is complete. The checkpointer moves it into its store and commits it.
 */
public final class SnapshotStaging {
    private final Path root;

    /** Staging under {@code root} (the checkpointer's {@code staging-dir}). */
    public SnapshotStaging(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** A staged snapshot: its file and the hex SHA-256 of its bytes. */
    public record Staged(Path file, String sha256, long bytes) {
    }

    public Staged stage(String runId, int attempt, long step, byte[] bytes) {
        try {
            Path dir = root.resolve(safe(runId));
            Files.createDirectories(dir);
            Path target = dir.resolve(String.format("step-%010d-attempt-%d.plppstate", step, attempt));
            Path tmp = dir.resolve(target.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Staged(target, Sha256.hex(bytes), bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the snapshot of run " + runId + " at step " + step, e);
        }
    }

    /** A run id as a single path segment (run ids are free text). */
    static String safe(String runId) {
        String s = runId.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.startsWith(".") ? "_" + s : s;
    }
}
