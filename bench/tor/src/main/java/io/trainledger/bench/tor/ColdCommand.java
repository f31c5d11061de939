package io.trainledger.bench.tor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A replay or an audit as an operator runs one: the repository's {@code trainledger} launcher in a process of its own
 * (a fresh JVM, nothing compiled yet), timed from process start to exit. Two ways, as the launcher offers them:
 * {@code aot} (a JDK 25 or newer with the CLI's ahead-of-time cache, which the first replay or audit records) and
 * {@code TRAINLEDGER_AOT=off} (the launcher's plain JVM: Java 17 by default, C1 only).
 */
final class ColdCommand {
    private ColdCommand() {
    }

    /** Wall time of the process and whether it exited 0 (identical / matches). */
    record Result(double processSeconds, boolean ok) {
    }

    /** The {@code trainledger} launcher of the repository this benchmark runs in (found from the working directory). */
    static Optional<Path> launcher() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("trainledger");
            if (Files.isExecutable(script) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return Optional.of(script);
            }
        }
        return Optional.empty();
    }

    /** Runs {@code trainledger args...} and waits for it; {@code aot} false sets {@code TRAINLEDGER_AOT=off}. */
    static Result run(Path launcher, boolean aot, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TRAINLEDGER_AOT", aot ? "on" : "off");
        long t0 = System.nanoTime();
        int exit = pb.start().waitFor();
        return new Result((System.nanoTime() - t0) / 1e9, exit == 0);
    }

    /** When the newest AOT cache of the launcher was written (epoch ms), or 0 when there is none. */
    static long newestAotCacheMillis(Path launcher) throws IOException {
        Path dir = aotDir(launcher);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            long newest = 0;
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".aot")).toList()) {
                newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
            }
            return newest;
        }
    }

    private static Path aotDir(Path launcher) {
        return launcher.resolveSibling(Path.of("infra", "cli", "target", "aot"));
    }

    /**
     * Waits until the launcher has an AOT cache written after {@code sinceMillis} (assembled in the background after
     * the first replay or audit that folds a ledger): true then; false once no recording or assembly of that command
     * is left in the directory without such a cache (no JDK 25 here, a run too short to record, TRAINLEDGER_AOT=off),
     * or after {@code timeout}. The launcher dates a cache as of its recording's start.
     */
    static boolean awaitAotCache(Path launcher, long sinceMillis, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (newestAotCacheMillis(launcher) >= sinceMillis) {
                return true;
            }
            Path dir = aotDir(launcher);
            if (!Files.isDirectory(dir)) {
                return false;
            }
            try (Stream<Path> files = Files.list(dir)) {
                boolean inProgress = files.anyMatch(p -> {
                    String n = p.getFileName().toString();
                    try {
                        return (n.startsWith("record-") || n.endsWith(".tmp"))
                                && Files.getLastModifiedTime(p).toMillis() >= sinceMillis;
                    } catch (IOException e) {
                        return false; // removed meanwhile
                    }
                });
                if (!inProgress) {
                    return false;
                }
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return false;
    }
}
