package io.trainledger.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cancel RUN}: asks the trainer to cancel a run. */
@Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a run (the trainer stops it between two steps).")
public final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Option(names = "--reason", description = "Why (recorded in RunCancelled).")
    String reason;

    @Override
    public Integer call() throws Exception {
        try {
            ServiceClient.forDataDir(data.dataDir()).cancel(runId, reason);
            spec.commandLine().getOut().println("Cancellation of " + runId + " requested.");
            return 0;
        } catch (ServiceClient.ApiException | IllegalStateException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }
}
