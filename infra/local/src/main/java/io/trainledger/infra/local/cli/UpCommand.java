package io.trainledger.infra.local.cli;

import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.SmokeRoundTrip;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.StackSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code up}: starts the embedded stack in the foreground until Ctrl-C (or {@code down}). */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the embedded stack (Kafka broker in KRaft mode + Apicurio Registry) on 127.0.0.1, "
                + "provision topics and registry rules, and keep it running until Ctrl-C or 'down'.")
public final class UpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "${env:TRAINLEDGER_DATA:-.trainledger}",
            description = "Where the stack keeps everything (default: ${DEFAULT-VALUE}; delete it to start afresh).")
    Path dataDir;

    @Option(names = "--broker-port", defaultValue = "0", description = "Kafka port (0: free, remembered per data dir).")
    int brokerPort;

    @Option(names = "--registry-port", defaultValue = "0", description = "Registry HTTP port (0: free, remembered).")
    int registryPort;

    @Option(names = "--partitions", defaultValue = "0", description = "Partitions of new keyed topics (0: catalogue default).")
    int partitions;

    @Option(names = "--in-memory-registry", description = "Keep schemas in memory (faster start; the ledger is "
            + "undecodable after a restart). Default: schemas stored durably in the broker.")
    boolean inMemoryRegistry;

    @Option(names = "--smoke", description = "Send one event through the registry serdes and read it back after start.")
    boolean smoke;

    @Option(names = "--exit", description = "Stop again right after start-up (and the smoke round trip): a check that the stack works.")
    boolean exit;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (brokerPort < 0 || registryPort < 0 || partitions < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "ports and partitions must be >= 0");
        }
        StackSettings settings = StackSettings.defaults(dataDir)
                .withPorts(brokerPort, 0, registryPort, 0)
                .withPartitions(partitions)
                .withRegistryStorage(inMemoryRegistry ? StackSettings.RegistryStorage.IN_MEMORY
                        : StackSettings.RegistryStorage.KAFKASQL);
        out.println("Starting the TrainLedger stack in " + settings.dataDir() + " ...");
        out.flush();
        EmbeddedStack stack = EmbeddedStack.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "stack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StackConnection c = stack.connection();
        out.printf("Stack ready in %.1f s%n", stack.startupTime().toMillis() / 1000.0);
        out.println("  Kafka bootstrap servers : " + c.bootstrapServers());
        out.println("  Schema registry (v3)    : " + c.registryUrl());
        out.println("  Confluent-compatible API: " + c.ccompatUrl());
        out.println("  Registry health         : " + c.registryHealthUrl());
        out.println("  Connection file         : " + settings.dataDir().resolve(StackConnection.FILE));
        out.println("  Logs                    : " + settings.dataDir().resolve("logs"));
        if (smoke) {
            SmokeRoundTrip.Result r = SmokeRoundTrip.run(c);
            out.printf("Smoke round trip OK: RunEvent for %s written to partition %d offset %d and read back equal in %d ms%n",
                    r.runId(), r.partition(), r.offset(), r.roundTrip().toMillis());
        }
        out.flush();
        if (exit) {
            Runtime.getRuntime().removeShutdownHook(hook);
            stack.close();
            out.println("Stack stopped.");
            return 0;
        }
        out.println("Press Ctrl-C to stop (or run 'down --data-dir " + settings.dataDir() + "').");
        out.flush();
        stopped.await();
        return 0;
    }
}
