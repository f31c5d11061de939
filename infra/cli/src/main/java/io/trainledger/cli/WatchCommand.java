package io.trainledger.cli;

import io.trainledger.infra.local.StackConnection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code watch RUN}: the live terminal view of a run, from its ledger and TOR reports on the broker. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Live view of a run: progress bar with step and ETA, loss and its components, current TOR and "
                + "the largest badput buckets, and each failure as it is injected, detected and recovered. Ends when "
                + "the run has finished and its final TOR report is in (then prints the report), or on Ctrl-C."})
public final class WatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Mixin
    KafkaConfigOption kafkaConfig = new KafkaConfigOption();

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Option(names = "--once", description = "Print the current state once and exit.")
    boolean once;

    @Option(names = "--timeout", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop following after this many seconds (0: until the run ends).")
    long timeoutSeconds;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (timeoutSeconds < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout must be >= 0");
        }
        java.util.Optional<StackConnection> found = data.connection(spec.commandLine().getErr());
        if (found.isEmpty()) {
            return 1;
        }
        StackConnection connection = kafkaConfig.applyTo(found.get());
        try (LedgerFollower follower = new LedgerFollower(connection, runId)) {
            Duration until = timeoutSeconds == 0 ? Duration.ofDays(365) : Duration.ofSeconds(timeoutSeconds);
            RunView view = LiveView.forTerminal(out).follow(follower, new RunView(runId), until, once);
            if (view.phase() == RunView.Phase.WAITING) {
                out.println("No event of run " + runId + " on the ledger" + (once ? "." : " yet."));
                return once ? 1 : 0;
            }
            if (view.isSettled() && view.report() != null) {
                out.println();
                TorReportSummary.lines(view.report()).forEach(out::println);
            }
            out.flush();
            return 0;
        }
    }
}
