package io.trainledger.cli;

import io.trainledger.infra.local.StackConnection;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.audit.TorAudit;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code audit RUN}: re-reads the run's ledger from offset 0, folds it with libs/tor-core and compares the result
 * field by field (exact equality) with the aggregator's latest TorReport on {@code trainledger.tor}.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Audit a run's TOR: fold its ledger from offset 0 with libs/tor-core and compare with the "
                + "aggregator's latest report field by field, exactly.",
                "Exit code 0 when identical, 1 when they differ."})
public final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Mixin
    KafkaConfigOption kafkaConfig = new KafkaConfigOption();

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Bound of each read (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        if (timeoutSeconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout must be > 0");
        }
        java.util.Optional<StackConnection> found = data.connection(spec.commandLine().getErr());
        if (found.isEmpty()) {
            return 1;
        }
        StackConnection connection = kafkaConfig.applyTo(found.get());
        LedgerAudit.Outcome outcome = new LedgerAudit(connection.bootstrapServers(), connection.kafkaClient(), connection.registry())
                .audit(runId, Duration.ofSeconds(timeoutSeconds));
        boolean identical = print(spec.commandLine().getOut(), outcome);
        return identical ? 0 : 1;
    }

    /** Prints the outcome; returns whether the report is identical to the fold of the ledger. */
    static boolean print(PrintWriter out, LedgerAudit.Outcome outcome) {
        TorAudit.Result r = outcome.result();
        if (r.actual() == null) {
            out.printf("Audit of %s: no TorReport on the ledger yet (%d ledger events)%n", r.runId(), r.ledgerEvents());
            return false;
        }
        if (r.matchesWholeLedger()) {
            out.printf("Audit of %s: identical. The aggregator's report equals the fold of all %d ledger events, field by field.%n",
                    r.runId(), r.ledgerEvents());
        } else if (r.matches()) {
            out.printf("Audit of %s: identical up to the report's last event (%d of %d ledger events folded; the run is "
                    + "still being reported).%n", r.runId(), r.actual().getEventsFolded(), r.ledgerEvents());
        } else {
            out.printf("Audit of %s: DIFFERENT from the fold of %d ledger events:%n", r.runId(), r.ledgerEvents());
            r.differences().forEach(d -> out.println("  " + d));
        }
        if (outcome.undecodable() > 0) {
            out.printf("  (%d of the run's ledger records did not decode and were skipped, as the aggregator dead-letters them)%n",
                    outcome.undecodable());
        }
        out.flush();
        return r.matches();
    }
}
