package io.trainledger.infra.local;

import io.trainledger.infra.runtime.StackRuntime;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the services of the embedded default as child processes with a restart policy, like compose's
 * {@code restart: on-failure}: a process that exits with a non-zero code or is killed is started again after a
 * backoff, unless it failed too often within a window. Every start, exit, restart and give-up is one line of
 * {@code <data-dir>/logs/supervisor.log}.
 */
public final class ServiceSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSupervisor.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** How often and how fast a failed service is restarted. */
    public record RestartPolicy(int maxRestarts, Duration window, Duration initialBackoff, Duration maxBackoff) {
        /** Up to 10 restarts in 5 minutes, backoff 0.5 s doubling to 8 s. */
        public static RestartPolicy onFailure() {
            return new RestartPolicy(10, Duration.ofMinutes(5), Duration.ofMillis(500), Duration.ofSeconds(8));
        }

        public static RestartPolicy never() {
            return new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO);
        }
    }

    /** A service to run: its command line (built by the factories) and its restart policy. */
    public record ServiceSpec(String name, List<String> command, Path workDir, Map<String, String> env,
                              RestartPolicy policy) {
        public ServiceSpec {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }

        /**
         * A Quarkus application ({@code target/quarkus-app}) run through the child watchdog, with configuration as
         * system properties.
         */
        public static ServiceSpec quarkusApp(String name, Path quarkusAppDir, Map<String, String> config, Path workDir,
                                             List<String> jvmOptions, RestartPolicy policy) {
            return quarkusApp(name, quarkusAppDir, config, workDir, jvmOptions, Map.of(), policy);
        }

        /**
         * Like {@link #quarkusApp(String, Path, Map, Path, List, RestartPolicy)}, with extra environment variables
         * (for secrets: unlike {@code -D} options they do not show in {@code ps}).
         */
        public static ServiceSpec quarkusApp(String name, Path quarkusAppDir, Map<String, String> config, Path workDir,
                                             List<String> jvmOptions, Map<String, String> env, RestartPolicy policy) {
            Path jar = quarkusAppDir.resolve("quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(name + " is not built: " + jar + " is missing (run ./mvnw install -DskipTests)");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
            cmd.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
            config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.add("-cp");
            cmd.add(jar + File.pathSeparator + StackRuntime.load().ownLocation());
            cmd.add("io.trainledger.infra.runtime.ChildWatchdog");
            cmd.add(Long.toString(ProcessHandle.current().pid()));
            cmd.add("io.quarkus.bootstrap.runner.QuarkusEntryPoint");
            return new ServiceSpec(name, cmd, workDir, env, policy);
        }
    }

    private final Path logs;
    private final Map<String, Supervised> services = new LinkedHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "service-supervisor");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public ServiceSupervisor(Path dataDir) {
        this.logs = dataDir.resolve("logs");
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a service and keeps it running according to its policy. */
    public synchronized void start(ServiceSpec spec) throws IOException {
        if (services.containsKey(spec.name())) {
            throw new IllegalArgumentException(spec.name() + " is already supervised");
        }
        Supervised s = new Supervised(spec);
        services.put(spec.name(), s);
        s.launch();
    }

    /** The running process of a service, if it is up right now. */
    public synchronized Optional<ChildProcess> process(String name) {
        Supervised s = services.get(name);
        return s == null || s.current == null || !s.current.isAlive() ? Optional.empty() : Optional.of(s.current);
    }

    /** How many times a service has been restarted. */
    public synchronized int restarts(String name) {
        Supervised s = services.get(name);
        return s == null ? 0 : s.restarts;
    }

    /** Whether the supervisor gave up on a service (too many failures within the policy's window). */
    public synchronized boolean gaveUp(String name) {
        Supervised s = services.get(name);
        return s != null && s.gaveUp;
    }

    public Path logFile() {
        return logs.resolve("supervisor.log");
    }

    /** Stops every service (in reverse start order) without restarting them. */
    @Override
    public void close() {
        List<Supervised> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(services.values());
        }
        scheduler.shutdownNow();
        // SIGTERM to all first so they shut down side by side, then wait for each (SIGKILL after the grace).
        List<Supervised> running = new ArrayList<>();
        for (Supervised s : all) {
            ChildProcess p = s.current;
            if (p != null && p.isAlive()) {
                p.terminate();
                running.add(s);
            }
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            ChildProcess p = running.get(i).current;
            int code = p.stop(STOP_GRACE);
            record("stopped " + running.get(i).spec.name() + " (pid " + p.pid() + ", exit " + code + ")");
        }
    }

    private void record(String line) {
        String entry = Instant.now() + " " + line + System.lineSeparator();
        LOG.info(line);
        try {
            Files.writeString(logFile(), entry, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", logFile(), e.toString());
        }
    }

    private final class Supervised {
        final ServiceSpec spec;
        final Deque<Instant> failures = new ArrayDeque<>();
        volatile ChildProcess current;
        volatile long startedNanos;
        int restarts;
        boolean gaveUp;

        Supervised(ServiceSpec spec) {
            this.spec = spec;
        }

        void launch() throws IOException {
            Files.createDirectories(spec.workDir());
            ChildProcess p = ChildProcess.start(spec.name(), spec.command(), spec.workDir(),
                    logs.resolve(spec.name() + ".log"), spec.env());
            current = p;
            startedNanos = System.nanoTime();
            record("started " + spec.name() + " (pid " + p.pid() + ")");
            ProcessHandle.of(p.pid()).ifPresent(h -> h.onExit().thenRun(() -> exited(p)));
        }

        void exited(ChildProcess p) {
            int code = p.stop(Duration.ZERO);
            double upSeconds = (System.nanoTime() - startedNanos) / 1e9;
            synchronized (ServiceSupervisor.this) {
                if (closed || current != p) {
                    return;
                }
                String how = code > 128 ? "killed by signal " + (code - 128) + " (exit " + code + ")" : "exited with " + code;
                if (code == 0) {
                    record(spec.name() + " (pid " + p.pid() + ") " + how + " after " + String.format("%.1f", upSeconds)
                            + " s; not restarted (on-failure policy)");
                    return;
                }
                Instant now = Instant.now();
                failures.addLast(now);
                while (!failures.isEmpty() && failures.peekFirst().isBefore(now.minus(spec.policy().window()))) {
                    failures.removeFirst();
                }
                if (failures.size() > spec.policy().maxRestarts()) {
                    gaveUp = true;
                    record(spec.name() + " (pid " + p.pid() + ") " + how + " after " + String.format("%.1f", upSeconds)
                            + " s; giving up: " + failures.size() + " failures within " + spec.policy().window());
                    return;
                }
                long backoff = Math.min(spec.policy().maxBackoff().toMillis(),
                        spec.policy().initialBackoff().toMillis() << Math.min(20, failures.size() - 1));
                restarts++;
                record(spec.name() + " (pid " + p.pid() + ") " + how + " after " + String.format("%.1f", upSeconds)
                        + " s; restart #" + restarts + " in " + backoff + " ms");
                scheduler.schedule(() -> {
                    synchronized (ServiceSupervisor.this) {
                        if (closed) {
                            return;
                        }
                        try {
                            launch();
                        } catch (IOException e) {
                            gaveUp = true;
                            record("cannot restart " + spec.name() + ": " + e);
                        }
                    }
                }, backoff, TimeUnit.MILLISECONDS);
            }
        }
    }
}
