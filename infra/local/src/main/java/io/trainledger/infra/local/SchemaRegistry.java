package io.trainledger.infra.local;

import io.trainledger.infra.runtime.StackRuntime;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Apicurio Registry server (its Maven Central distribution) as a child JVM on Java 21+, bound to 127.0.0.1 on
 * both its HTTP and management ports. With KAFKASQL storage every schema lives in the broker, so schemas survive a
 * restart together with the ledger they decode.
 */
final class SchemaRegistry {
    private static final String ENTRY_POINT = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";

    private final StackRuntime runtime;
    private final StackSettings settings;
    private final StackState state;
    private final String bootstrapServers;

    SchemaRegistry(StackRuntime runtime, StackSettings settings, StackState state, String bootstrapServers) {
        this.runtime = runtime;
        this.settings = settings;
        this.state = state;
        this.bootstrapServers = bootstrapServers;
    }

    String url() {
        return "http://127.0.0.1:" + state.registryPort() + "/apis/registry/v3";
    }

    String healthUrl() {
        return "http://127.0.0.1:" + state.registryManagementPort() + "/health/ready";
    }

    /** The unpacked distribution, shared by every stack through the cache directory (unpacked once, atomically). */
    Path home() throws IOException, InterruptedException {
        Path home = settings.cacheDir().resolve("apicurio-registry-" + runtime.registryVersion());
        if (Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
            return home;
        }
        Files.createDirectories(settings.cacheDir());
        Path tmp = Files.createTempDirectory(settings.cacheDir(), "apicurio-unpack-");
        Process tar = new ProcessBuilder("tar", "-xzf", runtime.registryTarball().toString(), "-C", tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes());
        if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
            throw new IllegalStateException("unpacking " + runtime.registryTarball() + " failed: " + out);
        }
        try {
            Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // Another stack unpacked it at the same time: use theirs.
            if (!Files.isRegularFile(home.resolve("quarkus-run.jar"))) {
                throw raced;
            }
            deleteTree(tmp);
        }
        return home;
    }

    ChildProcess start(Path logs) throws IOException, InterruptedException {
        Path home = home();
        Path javaBin = JavaRuntimes.findJava(21);
        Path work = settings.dataDir().resolve("registry");
        Files.createDirectories(work);
        List<String> cmd = new ArrayList<>(List.of(javaBin.toString(), "-Xms64m", "-Xmx512m",
                // C1 only: the registry is I/O-light here and starts about a third faster.
                "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                // What quarkus-run.jar's manifest asks for under -jar; we start it with -cp (to add the watchdog).
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + state.registryPort(),
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + state.registryManagementPort(),
                "-Dquarkus.log.console.color=false"));
        if (settings.registryStorage() == StackSettings.RegistryStorage.KAFKASQL) {
            cmd.add("-Dapicurio.storage.kind=kafkasql");
            cmd.add("-Dapicurio.kafkasql.bootstrap.servers=" + bootstrapServers);
            // The default 5 s poll makes start-up wait through several empty polls of the journal.
            cmd.add("-Dapicurio.kafkasql.consumer.poll.timeout=200");
        }
        cmd.addAll(List.of("-cp", home.resolve("quarkus-run.jar") + File.pathSeparator + runtime.ownLocation(),
                "io.trainledger.infra.runtime.ChildWatchdog", Long.toString(ProcessHandle.current().pid()), ENTRY_POINT));
        return ChildProcess.start("schema-registry", cmd, work, logs.resolve("registry.log"), Map.of());
    }

    void awaitReady(ChildProcess process, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(healthUrl())).timeout(Duration.ofSeconds(3)).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the schema registry exited during start-up:\n" + process.logTail(40));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the schema registry was not ready within " + timeout + ":\n" + process.logTail(40));
            }
            Thread.sleep(200);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
