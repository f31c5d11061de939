package io.trainledger.infra.local;

import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.ServiceSupervisor.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the embedded default runs each of the four services: the packaged Quarkus app under the repository root, the
 * configuration that points it at the stack and at its own directories, its port and JVM options. Pure: building a
 * catalog starts nothing ({@link RunningServices} does).
 *
 * <p>Configuration given to every service (as {@code -D} system properties, which override application.properties):
 * <ul>
 * <li>{@code quarkus.http.host=127.0.0.1} (also {@code %prod.}: one service binds 0.0.0.0 in its prod profile),
 *     {@code quarkus.http.port}, {@code kafka.bootstrap.servers}, {@code trainledger.registry.url};</li>
 * <li>trainer: {@code trainledger.trainer.data-dir=<data>/services/trainer}, {@code staging-dir} = its
 *     {@code staging/}, {@code group-instance-id=trainer-1} (static membership: restarted after a crash, it keeps
 *     its runs without a rebalance), {@code trainledger.trainer.chaos.enabled=true} by default: the embedded default is where
 *     faults are injected on purpose (demo, tests); a real deployment keeps the service's default, off;</li>
 * <li>checkpointer: {@code store-dir=<data>/services/checkpointer/store}, {@code staging-dir} = the trainer's staging
 *     directory (so it only accepts, and cleans up, files staged there), {@code group-instance-id=checkpointer-1}
 *     (static membership, as for the trainer);</li>
 * <li>failure-monitor and tor-aggregator: {@code quarkus.kafka-streams.bootstrap-servers},
 *     {@code kafka-streams.state.dir=<data>/services/<id>/kafka-streams-state}, a 6 s session timeout (a
 *     restarted instance rejoins quickly); the aggregator's {@code quarkus.kafka-streams.application-server} is its
 *     own address (interactive queries).</li>
 * </ul>
 * The API token goes through the environment ({@code TRAINLEDGER_API_TOKEN}). Overrides given to the builder win.
 */
public final class ServiceCatalog {
    /** Heap bounds: the machine runs six JVMs side by side; the trainer's tensors live off-heap in libtorch. */
    private static final List<String> SMALL_JVM = List.of("-XX:+UseSerialGC", "-Xmx512m");
    private static final List<String> TRAINER_JVM = List.of("-XX:+UseSerialGC", "-Xmx1g");

    private final Path repoRoot;
    private final Path dataDir;
    private final StackConnection connection;
    private final ServicePorts ports;
    private final String apiToken;
    private final boolean chaosEnabled;
    private final Map<TrainLedgerService, Map<String, String>> overrides;
    private final Map<TrainLedgerService, List<String>> jvmOptions;
    private final RestartPolicy restartPolicy;

    private ServiceCatalog(Builder b) {
        this.repoRoot = b.repoRoot;
        this.dataDir = b.dataDir;
        this.connection = b.connection;
        this.ports = b.ports != null ? b.ports : ServicePorts.resolve(b.dataDir);
        this.apiToken = b.apiToken != null ? b.apiToken : ApiToken.loadOrCreate(b.dataDir);
        this.chaosEnabled = b.chaosEnabled;
        this.overrides = new EnumMap<>(TrainLedgerService.class);
        b.overrides.forEach((s, m) -> overrides.put(s, Map.copyOf(m)));
        this.jvmOptions = new EnumMap<>(b.jvmOptions);
        this.restartPolicy = b.restartPolicy;
    }

    /**
     * A builder for the services of the stack on {@code dataDir}, run from the packaged apps under {@code repoRoot}
     * ({@code services/<id>/target/quarkus-app}).
     */
    public static Builder builder(Path repoRoot, Path dataDir, StackConnection connection) {
        return new Builder(repoRoot, dataDir, connection);
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public Path dataDir() {
        return dataDir;
    }

    public StackConnection connection() {
        return connection;
    }

    public ServicePorts ports() {
        return ports;
    }

    public String apiToken() {
        return apiToken;
    }

    public boolean chaosEnabled() {
        return chaosEnabled;
    }

    /** Where each service will answer. */
    public ServiceEndpoints endpoints() {
        return ServiceEndpoints.loopback(ports);
    }

    /** The trainer's staging directory, which is also the checkpointer's. */
    public Path stagingDir() {
        return TrainLedgerService.TRAINER.dataDir(dataDir).resolve("staging");
    }

    /** The packaged apps that are missing (empty when all four are built). */
    public List<Path> missingApps() {
        return missingApps(repoRoot);
    }

    /** The packaged apps missing under a repository root (empty when all four are built). */
    public static List<Path> missingApps(Path repoRoot) {
        List<Path> missing = new ArrayList<>();
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Path jar = s.quarkusAppDir(repoRoot).resolve("quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                missing.add(jar);
            }
        }
        return missing;
    }

    /** The full configuration of a service: the embedded defaults, then the overrides. */
    public Map<String, String> config(TrainLedgerService service) {
        Map<String, String> c = new LinkedHashMap<>();
        int port = ports.port(service);
        Path own = service.dataDir(dataDir);
        c.put("quarkus.http.host", "127.0.0.1");
        c.put("%prod.quarkus.http.host", "127.0.0.1");
        c.put("quarkus.http.port", Integer.toString(port));
        c.put("quarkus.console.color", "false");
        c.put("kafka.bootstrap.servers", connection.bootstrapServers());
        c.put("trainledger.registry.url", connection.registryUrl());
        switch (service) {
            case TRAINER -> {
                c.put("trainledger.trainer.data-dir", own.toString());
                c.put("trainledger.trainer.staging-dir", stagingDir().toString());
                // Static membership: the instance the supervisor restarts after a crash takes its runs back without
                // a rebalance (one supervised trainer per data directory, so the id is fixed).
                c.put("trainledger.trainer.group-instance-id", "trainer-1");
                c.put("trainledger.trainer.chaos.enabled", Boolean.toString(chaosEnabled));
            }
            case CHECKPOINTER -> {
                c.put("trainledger.checkpointer.store-dir", own.resolve("store").toString());
                c.put("trainledger.checkpointer.staging-dir", stagingDir().toString());
                // Static membership as for the trainer: a restarted checkpointer gets its partitions back at once
                // instead of after the session timeout (one supervised checkpointer per data directory).
                c.put("trainledger.checkpointer.group-instance-id", "checkpointer-1");
            }
            case FAILURE_MONITOR -> streams(c, own);
            case TOR_AGGREGATOR -> {
                streams(c, own);
                c.put("trainledger.advertised-host", "127.0.0.1");
                c.put("quarkus.kafka-streams.application-server", "127.0.0.1:" + port);
            }
        }
        c.putAll(overrides.getOrDefault(service, Map.of()));
        return c;
    }

    private void streams(Map<String, String> c, Path own) {
        c.put("quarkus.kafka-streams.bootstrap-servers", connection.bootstrapServers());
        c.put("kafka-streams.state.dir", own.resolve("kafka-streams-state").toString());
        c.put("kafka-streams.session.timeout.ms", "6000");
        c.put("%prod.kafka-streams.session.timeout.ms", "6000");
    }

    /** The environment of a service's process (the API token). */
    public Map<String, String> environment(TrainLedgerService service) {
        return Map.of(ApiToken.ENV_VAR, apiToken);
    }

    /** The process to run for a service, ready for {@link ServiceSupervisor#start}. */
    public ServiceSpec spec(TrainLedgerService service) {
        List<String> jvm = jvmOptions.getOrDefault(service,
                service == TrainLedgerService.TRAINER ? TRAINER_JVM : SMALL_JVM);
        return ServiceSpec.quarkusApp(service.id(), service.quarkusAppDir(repoRoot), config(service),
                service.dataDir(dataDir), jvm, environment(service), restartPolicy);
    }

    /** Options of a {@link ServiceCatalog}; everything but the three constructor arguments has a default. */
    public static final class Builder {
        private final Path repoRoot;
        private final Path dataDir;
        private final StackConnection connection;
        private ServicePorts ports;
        private String apiToken;
        private boolean chaosEnabled = true;
        private final Map<TrainLedgerService, Map<String, String>> overrides = new EnumMap<>(TrainLedgerService.class);
        private final Map<TrainLedgerService, List<String>> jvmOptions = new EnumMap<>(TrainLedgerService.class);
        private RestartPolicy restartPolicy = RestartPolicy.onFailure();

        private Builder(Path repoRoot, Path dataDir, StackConnection connection) {
            this.repoRoot = Objects.requireNonNull(repoRoot, "repoRoot").toAbsolutePath().normalize();
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
            this.connection = Objects.requireNonNull(connection, "connection");
        }

        /** Fixed ports; default: {@link ServicePorts#resolve(Path)} (free ones, remembered per data directory). */
        public Builder ports(ServicePorts ports) {
            this.ports = ports;
            return this;
        }

        /** The API token; default: {@link ApiToken#loadOrCreate(Path)} of the data directory. */
        public Builder apiToken(String token) {
            this.apiToken = token;
            return this;
        }

        /** Whether the trainer accepts fault injection (default true in the embedded default). */
        public Builder chaosEnabled(boolean enabled) {
            this.chaosEnabled = enabled;
            return this;
        }

        /** One configuration key of one service, overriding the embedded default. */
        public Builder override(TrainLedgerService service, String key, String value) {
            overrides.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(key, value);
            return this;
        }

        /** Several configuration keys of one service. */
        public Builder overrides(TrainLedgerService service, Map<String, String> config) {
            overrides.computeIfAbsent(service, s -> new LinkedHashMap<>()).putAll(config);
            return this;
        }

        /** JVM options of one service, replacing the default heap and GC options. */
        public Builder jvmOptions(TrainLedgerService service, List<String> options) {
            jvmOptions.put(service, List.copyOf(options));
            return this;
        }

        /** Restart policy of every service (default {@link RestartPolicy#onFailure()}). */
        public Builder restartPolicy(RestartPolicy policy) {
            this.restartPolicy = Objects.requireNonNull(policy);
            return this;
        }

        public ServiceCatalog build() {
            return new ServiceCatalog(this);
        }
    }
}
