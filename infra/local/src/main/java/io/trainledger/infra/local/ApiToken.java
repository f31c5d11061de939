package io.trainledger.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token of the services' mutating REST operations in the embedded default: one line in
 * {@code <data-dir>/api-token}, file mode 600, generated on the first start and kept; the services get it as
 * {@code trainledger.api.token} (through the environment, not the command line, so {@code ps} does not show it).
 */
public final class ApiToken {
    public static final String FILE = "api-token";
    /** The configuration key of the services. */
    public static final String CONFIG_KEY = "trainledger.api.token";
    /** The same key as an environment variable (MicroProfile Config's mapping). */
    public static final String ENV_VAR = "TRAINLEDGER_API_TOKEN";

    private ApiToken() {
    }

    /** The token of a data directory, created (256 random bits, URL-safe base64) if there is none yet. */
    public static String loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            return read(dataDir);
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            Files.createDirectories(dataDir);
            // Created with mode 600 from the start: never readable by others, not even briefly.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardCharsets.US_ASCII);
        } catch (FileAlreadyExistsException e) {
            return read(dataDir); // another process created it first
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
        return token;
    }

    /** The token of a data directory; a clear message when there is none. */
    public static String read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (token.isEmpty()) {
                throw new IllegalStateException(file + " is empty; delete it and run 'trainledger up' to create a new one");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("no API token in " + dataDir.toAbsolutePath() + " (" + FILE
                    + " is created by 'trainledger up')");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
