package io.trainledger.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Where the end-to-end tests find the repository (the packaged services) and put their own files. */
final class E2e {
    private E2e() {
    }

    /** The repository root, passed by the build as {@code trainledger.repo.root}. */
    static Path repoRoot() {
        String root = System.getProperty("trainledger.repo.root");
        if (root == null || root.isBlank()) {
            throw new IllegalStateException("system property trainledger.repo.root is not set (run through Maven)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    /** {@code services/<name>/target/quarkus-app}, which must hold a packaged application. */
    static Path quarkusApp(String service) {
        Path app = repoRoot().resolve("services").resolve(service).resolve("target").resolve("quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(service + " is not packaged: " + app.resolve("quarkus-run.jar")
                    + " is missing (./mvnw -B -q -pl services/" + service + " package -DskipTests)");
        }
        return app;
    }

    /** A fresh directory under {@code target/e2e}. */
    static Path newDir(String name) {
        Path base = Path.of(System.getProperty("trainledger.e2e.dir", "target/e2e")).toAbsolutePath();
        try {
            return Files.createDirectories(base.resolve(name + "-" + Long.toString(System.nanoTime(), 36)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The trainers' shared directory: the small backbone is pretrained once and cached there, so every trainer of
     * every test (and the uninterrupted reference run) trains on the same frozen weights.
     */
    static Path trainerData() {
        Path dir = Path.of(System.getProperty("trainledger.e2e.dir", "target/e2e")).toAbsolutePath()
                .resolve("trainer-data");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes what a test class opened, in the order given (the ledger tail and client before the fleet whose
     * services they watch), skipping what was never opened; every resource is closed even if an earlier one fails,
     * and the first failure is rethrown with the others suppressed.
     */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A TCP port free on 127.0.0.1 right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heavy variants run only with {@code -Dtrainledger.full=true}. */
    static boolean full() {
        return Boolean.getBoolean("trainledger.full");
    }

    /** Prints a measured figure to the test output, in one greppable format. */
    static void figure(String test, String what, String value) {
        System.out.printf(Locale.ROOT, "[e2e figure] %s | %s | %s%n", test, what, value);
    }
}
