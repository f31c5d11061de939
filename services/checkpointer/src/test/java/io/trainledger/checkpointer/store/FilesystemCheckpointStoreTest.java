package io.trainledger.checkpointer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemCheckpointStoreTest {
    @TempDir
    Path dir;

    @Test
    void storesContentAddressedAndVerified() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(3_000_000, 1);
        Path staged = write(dir.resolve("staged.ckpt"), content);
        String sha = sha256(content);

        StoredCheckpoint stored = store.put(staged, sha, content.length);

        Path expected = dir.resolve("store").resolve("objects").resolve(sha.substring(0, 2)).resolve(sha);
        assertThat(stored.sha256()).isEqualTo(sha);
        assertThat(stored.bytes()).isEqualTo(content.length);
        assertThat(Path.of(stored.uri())).isEqualTo(expected.toAbsolutePath());
        assertThat(Files.readAllBytes(expected)).isEqualTo(content);
        assertThat(store.verify(sha).ok()).isTrue();
        assertThat(store.find(sha)).contains(stored);
        try (InputStream in = store.open(sha)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(Files.exists(staged)).as("the store copies; the caller removes staging").isTrue();
        assertThat(tempFiles(store)).isEmpty();
    }

    @Test
    void sameContentIsStoredOnce() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(1000, 2);
        String sha = sha256(content);
        store.put(write(dir.resolve("a"), content), sha, content.length);
        long modified = Files.getLastModifiedTime(store.pathOf(sha)).toMillis();
        StoredCheckpoint again = store.put(write(dir.resolve("b"), content), sha, content.length);
        assertThat(again.bytes()).isEqualTo(content.length);
        assertThat(Files.getLastModifiedTime(store.pathOf(sha)).toMillis()).isEqualTo(modified);
        try (Stream<Path> files = Files.walk(dir.resolve("store/objects"))) {
            assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(1);
        }
    }

    @Test
    void rejectsBytesThatDoNotMatchTheirHashAndStoresNothing() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(1000, 3);
        String claimed = sha256(randomBytes(1000, 4));
        Path staged = write(dir.resolve("staged"), content);

        assertThatThrownBy(() -> store.put(staged, claimed, content.length))
                .isInstanceOf(ContentMismatchException.class)
                .hasMessageContaining("hash mismatch").hasMessageContaining(sha256(content));
        assertThat(store.find(claimed)).isEmpty();
        assertThat(tempFiles(store)).isEmpty();
    }

    @Test
    void rejectsAWrongSize() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(1000, 5);
        Path staged = write(dir.resolve("staged"), content);
        assertThatThrownBy(() -> store.put(staged, sha256(content), 999))
                .isInstanceOf(ContentMismatchException.class).hasMessageContaining("size mismatch");
    }

    @Test
    void verifyDetectsOneFlippedByte() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(100_000, 6);
        String sha = sha256(content);
        store.put(write(dir.resolve("staged"), content), sha, content.length);
        Path object = store.pathOf(sha);
        byte[] stored = Files.readAllBytes(object);
        stored[54_321] ^= 0x01;
        Files.write(object, stored);

        Verification v = store.verify(sha);
        assertThat(v.ok()).isFalse();
        assertThat(v.missing()).isFalse();
        assertThat(v.bytes()).isEqualTo(content.length);
        assertThat(v.describe()).contains("corrupt");
    }

    @Test
    void verifyDetectsATruncatedFile() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(100_000, 7);
        String sha = sha256(content);
        store.put(write(dir.resolve("staged"), content), sha, content.length);
        try (FileChannel ch = FileChannel.open(store.pathOf(sha), StandardOpenOption.WRITE)) {
            ch.truncate(content.length / 2);
        }
        Verification v = store.verify(sha);
        assertThat(v.ok()).isFalse();
        assertThat(v.bytes()).isEqualTo(content.length / 2);
    }

    @Test
    void aCorruptObjectIsReplacedByAGoodCopy() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(10_000, 8);
        String sha = sha256(content);
        Path staged = write(dir.resolve("staged"), content);
        store.put(staged, sha, content.length);
        Files.write(store.pathOf(sha), new byte[] {1, 2, 3});
        store.put(staged, sha, content.length);
        assertThat(store.verify(sha).ok()).isTrue();
    }

    @Test
    void verifyReportsAMissingObjectAndDeleteRemovesIt() throws Exception {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        byte[] content = randomBytes(10, 9);
        String sha = sha256(content);
        assertThat(store.verify(sha).missing()).isTrue();
        store.put(write(dir.resolve("staged"), content), sha, content.length);
        assertThat(store.delete(sha)).isTrue();
        assertThat(store.delete(sha)).isFalse();
        assertThat(store.verify(sha).missing()).isTrue();
    }

    @Test
    void halfWrittenTempFilesFromACrashAreInvisibleAndRemovedAtStart() throws Exception {
        Path root = dir.resolve("store");
        byte[] content = randomBytes(1000, 10);
        String sha = sha256(content);
        Path shard = root.resolve("objects").resolve(sha.substring(0, 2));
        Files.createDirectories(shard);
        Path temp = Files.write(shard.resolve(".tmp-" + sha + "-crashed"), new byte[] {1, 2});

        FilesystemCheckpointStore store = new FilesystemCheckpointStore(root);

        assertThat(Files.exists(temp)).isFalse();
        assertThat(store.find(sha)).isEmpty();
    }

    @Test
    void refusesMalformedNames() {
        FilesystemCheckpointStore store = new FilesystemCheckpointStore(dir.resolve("store"));
        assertThatThrownBy(() -> store.pathOf("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CheckpointStore.isValidName("A".repeat(64))).isFalse();
        assertThat(CheckpointStore.isValidName("a".repeat(64))).isTrue();
    }

    private static Path write(Path path, byte[] content) throws IOException {
        return Files.write(path, content);
    }

    private static Stream<Path> tempFilesStream(FilesystemCheckpointStore store) throws IOException {
        return Files.walk(store.root()).filter(p -> p.getFileName().toString().startsWith(".tmp-"));
    }

    private static java.util.List<Path> tempFiles(FilesystemCheckpointStore store) throws IOException {
        try (Stream<Path> s = tempFilesStream(store)) {
            return s.toList();
        }
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
