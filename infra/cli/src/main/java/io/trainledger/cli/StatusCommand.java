package io.trainledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code status [RUN]}: the runs the tor-aggregator knows, or one run's current TOR report. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Without RUN: every run with its status and TOR. With RUN: that run's current TOR report "
                + "(from the tor-aggregator's REST API).")
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataDirOption data = new DataDirOption();

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "Run id.")
    String runId;

    @Option(names = "--json", description = "Print the aggregator's JSON as it is.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            ServiceClient client = ServiceClient.forDataDir(data.dataDir());
            JsonNode body = runId == null ? client.runs() : client.report(runId);
            if (json) {
                out.println(ServiceClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
            } else {
                (runId == null ? runsTable(body) : reportLines(body)).forEach(out::println);
            }
            return 0;
        } catch (ServiceClient.ApiException e) {
            spec.commandLine().getErr().println(e.status() == 404 ? "unknown run: " + runId : e.getMessage());
            return 1;
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
    }

    /** {@code GET /runs} as a table, newest report first. */
    static List<String> runsTable(JsonNode body) {
        List<String> lines = new ArrayList<>();
        List<JsonNode> runs = new ArrayList<>();
        body.path("runs").forEach(runs::add);
        runs.sort((a, b) -> b.path("asOfEventTime").asText().compareTo(a.path("asOfEventTime").asText()));
        if (runs.isEmpty()) {
            lines.add("No runs yet.");
        } else {
            lines.add(String.format(Locale.ROOT, "%-38s %-10s %7s %9s %8s  %s", "RUN", "STATUS", "TOR", "STEPS", "FAILURES", "AS OF"));
            for (JsonNode r : runs) {
                lines.add(String.format(Locale.ROOT, "%-38s %-10s %7s %9d %8d  %s", r.path("runId").asText(),
                        r.path("status").asText(), r.path("tor").isNumber() ? String.format(Locale.ROOT, "%.4f", r.path("tor").asDouble()) : "-",
                        r.path("preservedSteps").asLong(), r.path("failures").asLong(), r.path("asOfEventTime").asText()));
            }
        }
        for (JsonNode u : body.path("unreachable")) {
            lines.add("(aggregator instance not answering: " + u.asText(u.toString()) + ")");
        }
        return lines;
    }

    /** One TorReport (JSON) in a few lines. */
    static List<String> reportLines(JsonNode r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Run %s: %s, TOR %s", r.path("runId").asText(), r.path("status").asText(),
                r.path("tor").isNumber() ? String.format(Locale.ROOT, "%.4f", r.path("tor").asDouble()) : "-"));
        lines.add(String.format(Locale.ROOT, "  T_obs %s, T_opt %s; steps preserved %d, executed %d",
                nanos(r.path("tObsNanos")), nanos(r.path("tOptNanos")), r.path("preservedSteps").asLong(),
                r.path("executedSteps").asLong()));
        StringBuilder badput = new StringBuilder("  badput:");
        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("badput").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().asLong() > 0) {
                badput.append(' ').append(e.getKey().replace("Nanos", "")).append(' ').append(nanos(e.getValue())).append(',');
            }
        }
        lines.add(badput.charAt(badput.length() - 1) == ',' ? badput.substring(0, badput.length() - 1) : badput + " none");
        for (JsonNode f : r.path("failures")) {
            lines.add(String.format(Locale.ROOT, "  %s x%d", f.path("type").asText(), f.path("count").asLong()));
        }
        JsonNode m = r.path("model");
        if (m.isObject()) {
            lines.add(String.format(Locale.ROOT, "  model: predicted TOR %s, recommended interval %s (Daly), current %s",
                    m.path("predictedTor").isNumber() ? String.format(Locale.ROOT, "%.4f", m.path("predictedTor").asDouble()) : "n/a",
                    seconds(m.path("dalyIntervalSeconds")), seconds(m.path("tauSeconds"))));
        }
        return lines;
    }

    private static String nanos(JsonNode n) {
        return RunViewRenderer.duration(Duration.ofNanos(n.asLong()));
    }

    private static String seconds(JsonNode n) {
        return n.isNumber() ? RunViewRenderer.duration(Duration.ofNanos((long) (n.asDouble() * 1e9))) : "n/a";
    }
}
