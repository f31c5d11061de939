package io.trainledger.cli;

import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.tor.core.detection.DetectionReport;
import io.trainledger.tor.core.detection.DetectionScore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code score RUN}: the failure monitor's verdicts scored against the injected faults of a run's ledger. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score failure detection for a run: each FailureDetected on its ledger is matched with the "
                + "FaultInjected it answers (libs/tor-core DetectionScore: 1 s lead, 120 s window); prints precision, "
                + "recall and detection latency per failure type."})
public final class ScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Mixin
    KafkaConfigOption kafkaConfig = new KafkaConfigOption();

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS", description = "Bound of the ledger read (default: ${DEFAULT-VALUE}).")
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
        List<RunEvent> ledger = LedgerFollower.readLedger(connection, runId, Duration.ofSeconds(timeoutSeconds));
        if (ledger.isEmpty()) {
            spec.commandLine().getErr().println("No event of run " + runId + " on the ledger.");
            return 1;
        }
        spec.commandLine().getOut().print(score(ledger).format());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static DetectionReport score(List<RunEvent> ledger) {
        return DetectionScore.defaults().score(ledger);
    }
}
