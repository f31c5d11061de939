package io.trainledger.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chaos RUN TYPE}: injects one fault into a running run (the trainer must have fault injection enabled). */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Inject a fault into a running run: CRASH (the trainer process halts), HANG (no more steps, "
                + "heartbeats go on), NAN_LOSS (a non-finite loss), STRAGGLER (steps FACTOR times slower for SECONDS).",
                "The embedded default enables fault injection ('up --no-chaos' does not)."})
public final class ChaosCommand implements Callable<Integer> {
    /** The fault types a user can inject. */
    enum FaultType { CRASH, HANG, NAN_LOSS, STRAGGLER }

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Parameters(index = "1", paramLabel = "TYPE", description = "One of: ${COMPLETION-CANDIDATES}.")
    FaultType type;

    @Option(names = "--factor", description = "STRAGGLER: step time multiplier (> 1).")
    Double factor;

    @Option(names = "--seconds", description = "STRAGGLER: how long the slowdown lasts (> 0).")
    Double seconds;

    @Override
    public Integer call() throws Exception {
        ObjectNode body = faultRequest(spec);
        try {
            ServiceClient.forDataDir(data.dataDir()).injectFault(runId, body);
            spec.commandLine().getOut().println(type + " injection requested for " + runId + ".");
            return 0;
        } catch (ServiceClient.ApiException | IllegalStateException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }

    /** The request body; parameters only for STRAGGLER, checked here so a typo never reaches the trainer. */
    ObjectNode faultRequest(CommandSpec spec) {
        if (type != FaultType.STRAGGLER && (factor != null || seconds != null)) {
            throw new ParameterException(spec.commandLine(), "--factor and --seconds apply to STRAGGLER only");
        }
        if (factor != null && !(factor > 1.0 && Double.isFinite(factor))) {
            throw new ParameterException(spec.commandLine(), "--factor must be a number > 1, got " + factor);
        }
        if (seconds != null && !(seconds > 0 && Double.isFinite(seconds))) {
            throw new ParameterException(spec.commandLine(), "--seconds must be a number > 0, got " + seconds);
        }
        ObjectNode body = ServiceClient.JSON.createObjectNode();
        body.put("type", type.name());
        if (factor != null || seconds != null) {
            ObjectNode params = body.putObject("parameters");
            if (factor != null) {
                params.put("factor", String.format(Locale.ROOT, "%s", factor));
            }
            if (seconds != null) {
                params.put("seconds", String.format(Locale.ROOT, "%s", seconds));
            }
        }
        return body;
    }
}
