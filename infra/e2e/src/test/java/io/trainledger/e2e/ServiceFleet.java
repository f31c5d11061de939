package io.trainledger.e2e;

import static org.awaitility.Awaitility.await;

import io.trainledger.infra.local.ApiToken;
import io.trainledger.infra.local.ChildProcess;
import io.trainledger.infra.local.ServiceCatalog;
import io.trainledger.infra.local.ServiceSupervisor;
import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.ServiceSupervisor.ServiceSpec;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.TrainLedgerService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The packaged services of one test class, run as real processes under one infra/local {@link ServiceSupervisor}
 * against the shared embedded stack. Each process is described by infra/local's {@link ServiceCatalog} (the embedded
 * default's configuration, ports, API token in the environment) plus this test's overrides; every instance has its
 * own catalog directory, so two trainers of one class get their own ports. The trainers of every class share
 * {@link E2e#trainerData()} (backbone cache, staging), which is also the checkpointers' staging directory.
 * Thresholds are short ones, as in the services' own tests.
 */
final class ServiceFleet implements AutoCloseable {
    static final Duration CRASH_TIMEOUT = Duration.ofSeconds(3);
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(200);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final StackConnection stack;
    private final Path dir;
    private final String apiToken;
    private final ServiceSupervisor supervisor;
    private final Map<String, URI> urls = new ConcurrentHashMap<>();
    private final Map<String, Path> dataDirs = new ConcurrentHashMap<>();
    private final String monitorAppId;
    private final String aggregatorAppId;

    ServiceFleet(StackConnection stack, String name) {
        this.stack = stack;
        this.dir = E2e.newDir(name);
        this.apiToken = ApiToken.loadOrCreate(dir);
        this.supervisor = new ServiceSupervisor(dir);
        // Each class has its own Kafka Streams application ids: a class never inherits another's stores and offsets.
        String suffix = dir.getFileName().toString();
        this.monitorAppId = "trainledger-failure-monitor-" + suffix;
        this.aggregatorAppId = "trainledger-tor-aggregator-" + suffix;
    }

    Path dir() {
        return dir;
    }

    ServiceSupervisor supervisor() {
        return supervisor;
    }

    String apiToken() {
        return apiToken;
    }

    /** A trainer instance; {@code chaos} enables fault injection in its configuration. */
    void startTrainer(String name, boolean chaos, RestartPolicy policy) {
        startTrainer(name, chaos, policy, Map.of());
    }

    /** A trainer instance with configuration {@code overrides} on top of this fleet's. */
    void startTrainer(String name, boolean chaos, RestartPolicy policy, Map<String, String> overrides) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("trainledger.trainer.instance", name);
        c.put("trainledger.trainer.data-dir", E2e.trainerData().toString());
        c.put("trainledger.trainer.staging-dir", E2e.trainerData().resolve("staging").toString());
        // Static membership, one id per instance and class: a restarted instance takes its runs back at once, a dead
        // one that stays dead gives them up after the session timeout.
        c.put("trainledger.trainer.group-instance-id", name + "-" + dir.getFileName());
        c.put("trainledger.trainer.session-timeout", "PT6S");
        c.put("trainledger.trainer.backbone.size", "small");
        c.put("trainledger.trainer.backbone.pretrain-steps", "40");
        c.put("trainledger.trainer.test-per-class", "4");
        c.put("trainledger.trainer.heartbeat-interval", HEARTBEAT_INTERVAL.toString());
        c.put("ai.djl.offline", "true");
        c.putAll(overrides);
        start(name, TrainLedgerService.TRAINER, c, chaos, Map.of(), policy);
    }

    void startCheckpointer(String name, RestartPolicy policy) {
        startCheckpointer(name, false, policy);
    }

    /** A checkpointer; {@code chaos} enables its commit fault hook ({@code POST /api/faults/halt-before-commit}). */
    void startCheckpointer(String name, boolean chaos, RestartPolicy policy) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("trainledger.checkpointer.instance", name);
        c.put("trainledger.checkpointer.staging-dir", E2e.trainerData().resolve("staging").toString());
        c.put("trainledger.checkpointer.retry-backoff", "PT0.2S");
        // Static membership, as for trainers: a restarted checkpointer takes its partitions back at once.
        c.put("trainledger.checkpointer.group-instance-id", name + "-" + dir.getFileName());
        // Through the environment: the packaged checkpointer refuses the key as a -D system property (SRCFG00050,
        // "does not map to any root", under its @ConfigMapping prefix), while environment variables are not checked.
        Map<String, String> env = chaos ? Map.of("TRAINLEDGER_CHECKPOINTER_CHAOS_ENABLED", "true") : Map.of();
        start(name, TrainLedgerService.CHECKPOINTER, c, false, env, policy);
    }

    void startMonitor(String name, RestartPolicy policy) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.kafka-streams.application-id", monitorAppId);
        c.put("trainledger.monitor.instance", name);
        c.put("trainledger.monitor.crash-timeout", CRASH_TIMEOUT.toMillis() + "ms");
        c.put("trainledger.monitor.hang-floor", "6s");
        c.put("trainledger.monitor.punctuate-interval", "100ms");
        start(name, TrainLedgerService.FAILURE_MONITOR, c, false, Map.of(), policy);
    }

    void startAggregator(String name, RestartPolicy policy) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.kafka-streams.application-id", aggregatorAppId);
        start(name, TrainLedgerService.TOR_AGGREGATOR, c, false, Map.of(), policy);
    }

    private void start(String name, TrainLedgerService service, Map<String, String> overrides, boolean chaos,
                       Map<String, String> extraEnv, RestartPolicy policy) {
        ServiceCatalog catalog = ServiceCatalog.builder(E2e.repoRoot(), dir.resolve("instances").resolve(name), stack)
                .apiToken(apiToken).chaosEnabled(chaos).overrides(service, overrides).build();
        ServiceSpec spec = catalog.spec(service);
        urls.put(name, catalog.endpoints().url(service));
        dataDirs.put(name, service.dataDir(catalog.dataDir()));
        try {
            // Same process as the embedded default's, under this instance's name and this test's restart policy.
            Map<String, String> env = new LinkedHashMap<>(spec.env());
            env.putAll(extraEnv);
            supervisor.start(new ServiceSpec(name, spec.command(), spec.workDir(), env, policy));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>} of a service instance. */
    String url(String name) {
        return urls.get(name).toString().replaceAll("/$", "");
    }

    /** The instance's own data directory (the checkpointer's store is its {@code store/}). */
    Path dataDir(String name) {
        return dataDirs.get(name);
    }

    /** Waits until the service answers 200 on {@code /q/health/ready}. */
    void awaitReady(String name, Duration atMost) {
        await(name + " ready").atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .failFast(name + " keeps failing at start-up; see " + log(name), () -> supervisor.gaveUp(name))
                .until(() -> get(name, "/q/health/ready").statusCode() == 200);
    }

    HttpResponse<String> get(String name, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(name) + path)).timeout(Duration.ofSeconds(5)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST with the bearer token and a JSON body. */
    HttpResponse<String> post(String name, String path, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(name) + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + apiToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The pid of the service's current process (fails if it is not running). */
    long pid(String name) {
        return supervisor.process(name).orElseThrow(() -> new AssertionError(name + " is not running")).pid();
    }

    /** kill -9 of the service's current process; returns the killed pid. */
    long kill(String name) throws InterruptedException {
        ChildProcess p = supervisor.process(name).orElseThrow(() -> new AssertionError(name + " is not running"));
        p.kill();
        return p.pid();
    }

    /** Waits for the supervisor to run a process other than {@code oldPid}; returns the new pid. */
    long awaitRestarted(String name, long oldPid, Duration atMost) {
        return await(name + " restarted").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> supervisor.process(name).map(ChildProcess::pid).orElse(oldPid), p -> p != oldPid);
    }

    Path log(String name) {
        return dir.resolve("logs").resolve(name + ".log");
    }

    /** The tail of a service's log, for failure messages. */
    String logTail(String name, int lines) {
        try {
            List<String> all = Files.readAllLines(log(name));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        supervisor.close();
    }
}
