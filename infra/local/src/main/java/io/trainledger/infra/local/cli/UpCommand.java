package io.trainledger.infra.local.cli;

import io.trainledger.infra.local.ApiToken;
import io.trainledger.infra.local.LocalTrainLedger;
import io.trainledger.infra.local.ServiceEndpoints;
import io.trainledger.infra.local.SmokeRoundTrip;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.infra.local.TrainLedgerService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code up}: starts the embedded stack and the four services in the foreground until Ctrl-C (or {@code down}).
 * {@link #start} is also what {@code demo} uses to bring everything up in its own process.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the embedded default on 127.0.0.1: a Kafka broker (KRaft) and Apicurio Registry with "
                + "topics and registry rules provisioned, then the trainer, checkpointer, failure-monitor and "
                + "tor-aggregator as supervised processes (restarted on failure; logs/supervisor.log). Runs until "
                + "Ctrl-C or 'down'; a later 'up' on the same data directory keeps the ledger.",
                "Fault injection is enabled in the trainer (this is a test platform; --no-chaos refuses it)."})
public final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    UpOptions options = new UpOptions();

    @Option(names = "--smoke", description = "Send one event through the registry serdes and read it back after start.")
    boolean smoke;

    @Option(names = "--exit", description = "Stop again right after start-up (and the smoke round trip): a check that it works.")
    boolean exit;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        options.validate(spec);
        LocalTrainLedger ledger = options.start(out);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            ledger.close();
            stopped.countDown();
        }, "trainledger-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        printWhereEverythingListens(out, ledger, options.dataDir());
        if (smoke) {
            SmokeRoundTrip.Result r = SmokeRoundTrip.run(ledger.connection());
            out.printf("Smoke round trip OK: RunEvent for %s written to partition %d offset %d and read back equal in %d ms%n",
                    r.runId(), r.partition(), r.offset(), r.roundTrip().toMillis());
        }
        out.flush();
        if (exit) {
            Runtime.getRuntime().removeShutdownHook(hook);
            ledger.close();
            out.println("Stopped.");
            return 0;
        }
        out.println("Press Ctrl-C to stop (or run 'trainledger down --data-dir " + options.dataDir().toAbsolutePath() + "').");
        out.flush();
        stopped.await();
        return 0;
    }

    /** The addresses of a started ledger, as {@code up} and {@code demo} print them. */
    public static void printWhereEverythingListens(PrintWriter out, LocalTrainLedger ledger, Path dataDir) {
        StackConnection c = ledger.connection();
        Path data = dataDir.toAbsolutePath().normalize();
        out.printf("Stack ready in %.1f s%n", ledger.stack().startupTime().toMillis() / 1000.0);
        out.println("  Kafka bootstrap servers : " + c.bootstrapServers());
        out.println("  Schema registry (v3)    : " + c.registryUrl());
        out.println("  Confluent-compatible API: " + c.ccompatUrl());
        out.println("  Registry health         : " + c.registryHealthUrl());
        if (ledger.services().isPresent()) {
            ServiceEndpoints e = ledger.services().get().endpoints();
            out.println("  Trainer                 : " + e.url(TrainLedgerService.TRAINER));
            out.println("  Checkpointer            : " + e.url(TrainLedgerService.CHECKPOINTER));
            out.println("  Failure monitor         : " + e.url(TrainLedgerService.FAILURE_MONITOR));
            out.println("  TOR aggregator          : " + e.url(TrainLedgerService.TOR_AGGREGATOR));
            out.println("  Dashboard               : " + e.dashboard());
            out.println("  API token (bearer)      : " + data.resolve(ApiToken.FILE));
            out.println("  Endpoints file          : " + data.resolve(ServiceEndpoints.FILE));
        }
        out.println("  Connection file         : " + data.resolve(StackConnection.FILE));
        out.println("  Logs                    : " + data.resolve("logs"));
        out.flush();
    }

    /** Options shared by {@code up} and {@code demo}: where and what to start. */
    public static final class UpOptions {
        @Option(names = "--data-dir", defaultValue = "${env:TRAINLEDGER_DATA:-.trainledger}",
                description = "Where everything is kept (default: ${DEFAULT-VALUE}; delete it to start afresh).")
        Path dataDir;

        @Option(names = "--repo-root", defaultValue = "${sys:trainledger.repo.root:-.}",
                description = "The TrainLedger source tree whose services/*/target/quarkus-app are run "
                        + "(set by the ./trainledger launcher; default: ${DEFAULT-VALUE}).")
        Path repoRoot;

        @Option(names = "--no-services", description = "Start the broker and registry only (no trainer, checkpointer, "
                + "failure-monitor, tor-aggregator).")
        boolean noServices;

        @Option(names = "--no-chaos", description = "Start the trainer with fault injection disabled.")
        boolean noChaos;

        @Option(names = "--broker-port", defaultValue = "0", description = "Kafka port (0: free, remembered per data dir).")
        int brokerPort;

        @Option(names = "--registry-port", defaultValue = "0", description = "Registry HTTP port (0: free, remembered).")
        int registryPort;

        @Option(names = "--partitions", defaultValue = "0", description = "Partitions of new keyed topics (0: catalogue default).")
        int partitions;

        @Option(names = "--in-memory-registry", description = "Keep schemas in memory (faster start; the ledger is "
                + "undecodable after a restart). Default: schemas stored durably in the broker.")
        boolean inMemoryRegistry;

        @Option(names = "--ready-timeout", defaultValue = "1800", paramLabel = "SECONDS",
                description = "How long to wait for the services to become ready (default: ${DEFAULT-VALUE}; the "
                        + "trainer's first start on a new data directory pretrains the PLPP backbone, a few minutes).")
        long readyTimeoutSeconds;

        public Path dataDir() {
            return dataDir;
        }

        public Path repoRoot() {
            return repoRoot;
        }

        public boolean services() {
            return !noServices;
        }

        public boolean noChaos() {
            return noChaos;
        }

        public void validate(CommandSpec spec) {
            if (brokerPort < 0 || brokerPort > 65535 || registryPort < 0 || registryPort > 65535) {
                throw new ParameterException(spec.commandLine(), "ports must be between 0 and 65535");
            }
            if (partitions < 0) {
                throw new ParameterException(spec.commandLine(), "--partitions must be >= 0");
            }
            if (readyTimeoutSeconds <= 0) {
                throw new ParameterException(spec.commandLine(), "--ready-timeout must be > 0");
            }
        }

        public StackSettings settings() {
            return StackSettings.defaults(dataDir)
                    .withPorts(brokerPort, 0, registryPort, 0)
                    .withPartitions(partitions)
                    .withRegistryStorage(inMemoryRegistry ? StackSettings.RegistryStorage.IN_MEMORY
                            : StackSettings.RegistryStorage.KAFKASQL);
        }

        /** Starts the stack and (unless --no-services) the services, telling {@code out} how it goes. */
        public LocalTrainLedger start(PrintWriter out) throws Exception {
            StackSettings settings = settings();
            out.println("Starting TrainLedger in " + settings.dataDir() + " ...");
            out.flush();
            if (noServices) {
                return LocalTrainLedger.startStack(settings);
            }
            return LocalTrainLedger.start(settings, repoRoot.toAbsolutePath().normalize(),
                    b -> b.chaosEnabled(!noChaos), Duration.ofSeconds(readyTimeoutSeconds), msg -> {
                        out.println("  " + msg);
                        out.flush();
                    });
        }
    }
}
