package io.trainledger.checkpointer.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * {@link CheckpointStore} on a local (or mounted) filesystem.
 *
 * <p>Layout: {@code <root>/objects/<first two hex digits>/<sha256>}. A write goes to
 * {@code <root>/objects/<xx>/.tmp-<sha256>-<uuid>} in the same directory, is hashed while copied, fsynced, renamed
 * atomically onto its name, the directory is fsynced (so the rename itself is durable), and the object is read back
 * and hashed again. Temp files left by a crash are never visible under an object name and are removed at start.
 */
public final class FilesystemCheckpointStore implements CheckpointStore {
    private static final Logger LOG = Logger.getLogger(FilesystemCheckpointStore.class);
    private static final String TEMP_PREFIX = ".tmp-";
    private static final int BUFFER = 1 << 20;

    private final Path root;
    private final Path objects;

    public FilesystemCheckpointStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.objects = this.root.resolve("objects");
        try {
            Files.createDirectories(objects);
            removeTempFiles();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare checkpoint store at " + this.root, e);
        }
    }

    /** The store's root directory. */
    public Path root() {
        return root;
    }

    /** Path of an object (which may not exist). */
    public Path pathOf(String sha256) {
        requireName(sha256);
        return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    @Override
    public StoredCheckpoint put(Path source, String expectedSha256, long expectedBytes)
            throws ContentMismatchException, IOException {
        requireName(expectedSha256);
        Path target = pathOf(expectedSha256);
        if (Files.exists(target)) {
            Verification existing = verify(expectedSha256);
            if (existing.ok()) {
                if (expectedBytes >= 0 && existing.bytes() != expectedBytes) {
                    throw new ContentMismatchException("size mismatch: expected " + expectedBytes
                            + " bytes, content of hash " + expectedSha256 + " has " + existing.bytes());
                }
                return new StoredCheckpoint(expectedSha256, existing.bytes(), uri(expectedSha256));
            }
            LOG.warnf("replacing corrupt stored object: %s", existing.describe());
        }
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDirectory(objects);
        }
        Path temp = dir.resolve(TEMP_PREFIX + expectedSha256 + "-" + UUID.randomUUID());
        try {
            long copied;
            String actual;
            MessageDigest digest = sha256();
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                copied = copy(in, out, digest);
                out.force(true);
            }
            actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(expectedSha256)) {
                throw new ContentMismatchException("hash mismatch: expected " + expectedSha256
                        + ", staged bytes hash to " + actual + " (" + copied + " bytes)");
            }
            if (expectedBytes >= 0 && copied != expectedBytes) {
                throw new ContentMismatchException("size mismatch: expected " + expectedBytes + " bytes, staged "
                        + copied);
            }
            move(temp, target);
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
        Verification after = verify(expectedSha256);
        if (!after.ok()) {
            // The bytes hashed right while copying but not when read back: the medium is bad. Do not leave them.
            Files.deleteIfExists(target);
            throw new IOException("verification after write failed: " + after.describe());
        }
        return new StoredCheckpoint(expectedSha256, after.bytes(), uri(expectedSha256));
    }

    @Override
    public Optional<StoredCheckpoint> find(String sha256) throws IOException {
        Path path = pathOf(sha256);
        try {
            return Optional.of(new StoredCheckpoint(sha256, Files.size(path), uri(sha256)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public Verification verify(String sha256) throws IOException {
        Path path = pathOf(sha256);
        MessageDigest digest = sha256();
        long size;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            size = copy(in, null, digest);
        } catch (NoSuchFileException e) {
            return new Verification(sha256, null, -1);
        }
        return new Verification(sha256, HexFormat.of().formatHex(digest.digest()), size);
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(pathOf(sha256));
    }

    @Override
    public boolean delete(String sha256) throws IOException {
        Path path = pathOf(sha256);
        boolean deleted = Files.deleteIfExists(path);
        if (deleted) {
            fsyncDirectory(path.getParent());
        }
        return deleted;
    }

    @Override
    public URI uri(String sha256) {
        return pathOf(sha256).toUri();
    }

    /** Hex SHA-256 of a file. */
    public static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            copy(in, null, digest);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static long copy(FileChannel in, FileChannel out, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        long total = 0;
        while (in.read(buffer) >= 0) {
            buffer.flip();
            digest.update(buffer.array(), 0, buffer.limit());
            total += buffer.limit();
            if (out != null) {
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            buffer.clear();
        }
        return total;
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store's filesystem cannot rename atomically: " + target.getParent(), e);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        // Linux lets a directory be opened read-only and fsynced; that makes the rename/unlink in it durable.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (System.getProperty("os.name", "").toLowerCase().contains("win")) {
                return; // Windows cannot open directories; NTFS journals metadata itself.
            }
            throw e;
        }
    }

    private void removeTempFiles() throws IOException {
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(objects)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(shard, TEMP_PREFIX + "*")) {
                    for (Path temp : temps) {
                        LOG.infof("removing a half-written object left by a crash: %s", temp);
                        Files.deleteIfExists(temp);
                    }
                }
            }
        }
    }

    private static void requireName(String sha256) {
        if (!CheckpointStore.isValidName(sha256)) {
            throw new IllegalArgumentException("not a hex SHA-256: " + sha256);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
