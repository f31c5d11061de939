package io.trainledger.cli;

import io.trainledger.infra.local.StackConnection;
import io.trainledger.tor.aggregator.replay.LedgerReplay;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: rebuilds every run's TOR report from offset 0 of the ledger with the aggregator's production
 * topology under a fresh application id, and compares each with the live latest report, exactly.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Rebuild every run's TOR report from offset 0 of the ledger with the aggregator's production "
                + "topology (a fresh application id, temporary state, nothing written to the live topics) and "
                + "compare each with the live latest report field by field.",
                "Exit code 0 when every run is identical, 1 otherwise."})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Mixin
    KafkaConfigOption kafkaConfig = new KafkaConfigOption();

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Bound of the replay's catching up (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (timeoutSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout must be > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        java.util.Optional<StackConnection> found = data.connection(spec.commandLine().getErr());
        if (found.isEmpty()) {
            return 1;
        }
        StackConnection connection = kafkaConfig.applyTo(found.get());
        LedgerReplay.Outcome o;
        try {
            o = new LedgerReplay(connection.bootstrapServers(), connection.kafkaClient(), connection.registry(),
                    TopologySettings.defaults()).replay(Duration.ofSeconds(timeoutSeconds));
        } catch (TimeoutException e) {
            spec.commandLine().getErr().println("replay did not catch up with the ledger within " + timeoutSeconds + " s: " + e.getMessage());
            return 1;
        }
        out.printf("Replayed %d ledger records (%d skipped as undecodable) under %s in %s: %d runs replayed, %d live.%n",
                o.ledgerRecords(), o.skippedRecords(), o.applicationId(), RunViewRenderer.duration(o.elapsed()),
                o.replayed().size(), o.live().size());
        if (o.identical()) {
            out.println("identical: every run's replayed report equals its live report, field by field.");
        } else {
            out.println("DIFFERENT: " + o.differences().size() + " run(s):");
            o.differences().forEach(d -> out.println("  " + d));
        }
        out.flush();
        return o.identical() ? 0 : 1;
    }
}
