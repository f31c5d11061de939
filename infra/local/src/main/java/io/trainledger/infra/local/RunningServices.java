package io.trainledger.infra.local;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four services of a {@link ServiceCatalog} running under a {@link ServiceSupervisor} (restart on failure, every
 * start and exit in {@code logs/supervisor.log}). {@link #start} returns once each answers 200 on
 * {@code /q/health/ready}, and then writes {@code endpoints.properties}; {@link #close} stops them all (the
 * supervisor with them) and removes that file.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(dataDir));
 *      RunningServices services = RunningServices.start(
 *          ServiceCatalog.builder(repoRoot, dataDir, stack.connection()).build(), Duration.ofMinutes(10), msg -> {})) {
 *     URI trainer = services.endpoints().url(TrainLedgerService.TRAINER);
 * }
 * }</pre>
 */
public final class RunningServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunningServices.class);
    // Not faster: each probe of a service that is not ready yet is a line in its log.
    private static final Duration POLL = Duration.ofSeconds(2);

    private final ServiceCatalog catalog;
    private final ServiceSupervisor supervisor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean closed;

    private RunningServices(ServiceCatalog catalog, ServiceSupervisor supervisor) {
        this.catalog = catalog;
        this.supervisor = supervisor;
    }

    /** Starts the four services under a new supervisor of the catalog's data directory and waits until ready. */
    public static RunningServices start(ServiceCatalog catalog, Duration readyTimeout, Consumer<String> progress)
            throws IOException, InterruptedException {
        return start(catalog, new ServiceSupervisor(catalog.dataDir()), readyTimeout, progress);
    }

    /**
     * Starts the four services under {@code supervisor} (which this object then owns and closes) and waits until
     * each is ready; on failure or timeout everything started is stopped again and the exception names the service
     * and quotes the end of its log.
     */
    public static RunningServices start(ServiceCatalog catalog, ServiceSupervisor supervisor, Duration readyTimeout,
                                        Consumer<String> progress) throws IOException, InterruptedException {
        List<Path> missing = catalog.missingApps();
        if (!missing.isEmpty()) {
            supervisor.close();
            throw new IllegalStateException("the services are not built: missing " + missing
                    + " (build them with: ./mvnw -B -q install -DskipTests, or let ./trainledger do it)");
        }
        Map<TrainLedgerService, Integer> busy = catalog.ports().busy();
        if (!busy.isEmpty()) {
            supervisor.close();
            throw new IllegalStateException("service ports already in use on 127.0.0.1: " + busy + " (a service left "
                    + "over from an earlier run on " + catalog.dataDir() + "? the ports are remembered in "
                    + ServicePorts.FILE + "; delete it to pick new ones)");
        }
        RunningServices running = new RunningServices(catalog, supervisor);
        try {
            for (TrainLedgerService s : TrainLedgerService.values()) {
                supervisor.start(catalog.spec(s));
            }
            running.awaitAllReady(readyTimeout, progress);
            catalog.endpoints().write(catalog.dataDir());
        } catch (IOException | InterruptedException | RuntimeException e) {
            running.close();
            throw e;
        }
        return running;
    }

    public ServiceCatalog catalog() {
        return catalog;
    }

    /** The supervisor, e.g. to find a service's process ({@code supervisor().process("trainer")}). */
    public ServiceSupervisor supervisor() {
        return supervisor;
    }

    public ServiceEndpoints endpoints() {
        return catalog.endpoints();
    }

    /** Whether a service answers 200 on its readiness endpoint right now. */
    public boolean isReady(TrainLedgerService service) {
        return ready(http, catalog.endpoints(), service);
    }

    /** Waits until a service is ready (e.g. after the supervisor restarted it). */
    public void awaitReady(TrainLedgerService service, Duration timeout) throws InterruptedException {
        awaitReady(EnumSet.of(service), timeout, msg -> { });
    }

    private void awaitAllReady(Duration timeout, Consumer<String> progress) throws InterruptedException {
        awaitReady(EnumSet.allOf(TrainLedgerService.class), timeout, progress);
    }

    private void awaitReady(Set<TrainLedgerService> services, Duration timeout, Consumer<String> progress)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        Set<TrainLedgerService> waiting = EnumSet.copyOf(services);
        while (!waiting.isEmpty()) {
            for (TrainLedgerService s : new ArrayList<>(waiting)) {
                if (supervisor.gaveUp(s.id())) {
                    throw new IllegalStateException(s.id() + " keeps failing at start-up; the supervisor gave up. "
                            + "Last lines of " + logFile(s) + ":\n" + logTail(s, 30));
                }
                if (isReady(s)) {
                    waiting.remove(s);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    LOG.info("{} ready on {} after {} ms", s.id(), catalog.endpoints().url(s), ms);
                    progress.accept(String.format("%s ready on %s (%.1f s)", s.id(), catalog.endpoints().url(s), ms / 1000.0));
                }
            }
            if (waiting.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                String names = waiting.stream().map(TrainLedgerService::id).collect(Collectors.joining(", "));
                TrainLedgerService first = waiting.iterator().next();
                throw new IllegalStateException("not ready within " + timeout.toSeconds() + " s: " + names
                        + ". Last lines of " + logFile(first) + ":\n" + logTail(first, 30));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    static boolean ready(HttpClient http, ServiceEndpoints endpoints, TrainLedgerService service) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoints.readiness(service))
                    .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet, or restarting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Path logFile(TrainLedgerService s) {
        return catalog.dataDir().resolve("logs").resolve(s.id() + ".log");
    }

    private String logTail(TrainLedgerService s, int lines) {
        try {
            List<String> all = Files.readAllLines(logFile(s));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops the four services (in reverse start order, SIGTERM then SIGKILL) and removes the endpoints file. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            ServiceEndpoints.delete(catalog.dataDir());
        } catch (RuntimeException e) {
            LOG.warn("cannot remove {}: {}", ServiceEndpoints.FILE, e.toString());
        }
        supervisor.close();
    }
}
