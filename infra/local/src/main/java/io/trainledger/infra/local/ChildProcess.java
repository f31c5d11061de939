package io.trainledger.infra.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One child process of the stack, its output appended to a log file, stopped with SIGTERM then SIGKILL. */
public final class ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    private final String name;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /** Starts {@code command} with its stdout and stderr appended to {@code logFile}. */
    public static ChildProcess start(String name, List<String> command, Path workDir, Path logFile,
                                     Map<String, String> env) throws IOException {
        Files.createDirectories(logFile.getParent());
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        LOG.info("started {} (pid {}), log {}", name, p.pid(), logFile);
        return new ChildProcess(name, p, logFile);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Sends SIGTERM without waiting (lets several children shut down at the same time). */
    public void terminate() {
        process.destroy();
    }

    /** Graceful stop: SIGTERM, wait up to {@code grace}, then SIGKILL. Returns the exit code. */
    public int stop(Duration grace) {
        if (!process.isAlive()) {
            return process.exitValue();
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} (pid {}) did not stop within {}; killing it", name, pid(), grace);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LOG.info("stopped {} (pid {})", name, pid());
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGKILL, as a crash would: no shutdown hooks, no flush. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
        LOG.info("killed {} (pid {}) with SIGKILL", name, pid());
    }

    /** The last lines of the log, for error messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
