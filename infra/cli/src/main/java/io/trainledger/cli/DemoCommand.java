package io.trainledger.cli;

import io.trainledger.infra.local.LocalTrainLedger;
import io.trainledger.infra.local.ServiceEndpoints;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.TrainLedgerService;
import io.trainledger.infra.local.cli.UpCommand;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the main job in one command. Brings the embedded default up (or uses the one already running on the
 * data directory), submits a run with fault injection, shows it live, and ends with the final TOR report and the
 * audit; then keeps everything up for the dashboard until Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start everything ('up', or reuse a running one), submit a prompt-learning run on the built-in "
                + "benchmark with injected CRASH, HANG, NAN_LOSS and STRAGGLER faults, show it live, then print the "
                + "final TOR report (breakdown, per-failure-type attribution, fitted model, recommended checkpoint "
                + "interval, projection) and the audit of the report against the ledger. Keeps running for the "
                + "dashboard until Ctrl-C (--exit: stop after the summary).",
                "--no-chaos: a run without fault injection (and, if the demo starts the services, a trainer that "
                        + "refuses it)."})
public final class DemoCommand implements Callable<Integer> {
    /** Methods the demo offers. */
    enum Method { coop, kgcoop, plpp }

    @Spec
    CommandSpec spec;

    @Mixin
    UpCommand.UpOptions up = new UpCommand.UpOptions();

    @Option(names = "--method", defaultValue = "plpp", description = "coop, kgcoop or plpp (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    long steps;

    // The trainer draws fault types from (seed, attempt) (ChaosSchedule): with seed 131 and an equal mix the first
    // twelve faults are 3 CRASH, 3 HANG, 3 NAN_LOSS and 3 STRAGGLER (C H C N N S H S C S N H), 83 s of training at a
    // 10 s MTBF. Other seeds give other mixes.
    @Option(names = "--seed", defaultValue = "131", description = "Seed of the data, initialisation and faults "
            + "(default: ${DEFAULT-VALUE}, whose fault sequence has three faults of each type).")
    long seed;

    @Option(names = "--mtbf", defaultValue = "10", paramLabel = "SECONDS",
            description = "Mean seconds of training between injected faults (default: ${DEFAULT-VALUE}).")
    double mtbfSeconds;

    @Option(names = "--max-faults", defaultValue = "12", description = "At most this many faults (default: ${DEFAULT-VALUE}).")
    int maxFaults;

    @Option(names = "--interval", defaultValue = "50", paramLabel = "STEPS",
            description = "Checkpoint interval at submission; the checkpointer adapts it (default: ${DEFAULT-VALUE}).")
    int intervalSteps;

    @Option(names = "--timeout", defaultValue = "1800", paramLabel = "SECONDS",
            description = "Give up following the run after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--exit", description = "Exit after the summary instead of waiting for Ctrl-C (for scripts and tests).")
    boolean exit;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        up.validate(spec);
        if (!up.services()) {
            throw new ParameterException(spec.commandLine(), "demo needs the services: drop --no-services");
        }
        DemoRun run;
        try {
            run = new DemoRun(method.name(), steps, seed, !up.noChaos(), mtbfSeconds, maxFaults, intervalSteps);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be > 0");
        }
        long t0 = System.nanoTime();
        LocalTrainLedger started = null;
        CountDownLatch stopped = new CountDownLatch(1);
        if (servicesAnswer()) {
            out.println("Using the TrainLedger already running on " + up.dataDir().toAbsolutePath().normalize());
        } else {
            started = up.start(out);
            LocalTrainLedger ledger = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                ledger.close();
                stopped.countDown();
            }, "trainledger-shutdown"));
            UpCommand.printWhereEverythingListens(out, started, up.dataDir());
        }
        ServiceClient client = ServiceClient.forDataDir(up.dataDir());
        StackConnection connection = StackConnection.read(up.dataDir());
        String runId = "demo-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        out.printf(Locale.ROOT, "%nSubmitting %s: %s, %d steps, seed %d, %s%n", runId, run.method(), run.steps(), run.seed(),
                run.chaos() ? String.format(Locale.ROOT, "faults every %.0f s on average (at most %d)", run.mtbfSeconds(), run.maxFaults())
                        : "no fault injection");
        out.println("Dashboard: " + runPage(client, runId));
        out.flush();
        long submitNanos = System.nanoTime();
        try {
            client.submit(run.submission(runId));
        } catch (ServiceClient.ApiException e) {
            spec.commandLine().getErr().println("The trainer refused the demo run: " + e.getMessage());
            e.errors().forEach(fe -> spec.commandLine().getErr().println("  " + fe));
            return 1;
        }
        RunView view;
        try (LedgerFollower follower = new LedgerFollower(connection, runId)) {
            view = LiveView.forTerminal(out).follow(follower, new RunView(runId), Duration.ofSeconds(timeoutSeconds), false);
        }
        Duration runTime = Duration.ofNanos(System.nanoTime() - submitNanos);
        out.println();
        if (!view.isSettled()) {
            out.printf("The run did not finish within %d s (phase %s).%n", timeoutSeconds, view.phase());
        }
        if (view.report() != null) {
            out.println("=== Final TOR report ===");
            TorReportSummary.lines(view.report()).forEach(out::println);
        }
        out.println("=== Detection score (verdicts vs injected faults) ===");
        out.print(ScoreCommand.score(LedgerFollower.readLedger(connection, runId, Duration.ofSeconds(60))).format());
        out.println("  recovered " + view.recovered() + " times");
        out.println("=== Audit ===");
        LedgerAudit.Outcome audit = settledAudit(connection, runId);
        boolean identical = AuditCommand.print(out, audit) && audit.result().matchesWholeLedger();
        out.printf(Locale.ROOT, "%nRun %s %s in %s (submission to final report); demo total %s.%n", runId,
                view.phase().name().toLowerCase(Locale.ROOT), RunViewRenderer.duration(runTime),
                RunViewRenderer.duration(Duration.ofNanos(System.nanoTime() - t0)));
        out.println("Dashboard: " + runPage(client, runId) + "  (all runs: " + client.endpoints().dashboard() + ")");
        out.flush();
        int code = view.phase() == RunView.Phase.COMPLETED && identical ? 0 : 1;
        if (exit || started == null) {
            if (started != null) {
                started.close();
            }
            return code;
        }
        out.println("Everything keeps running for the dashboard; press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return code;
    }

    /** The aggregator's dashboard page of one run. */
    static URI runPage(ServiceClient client, String runId) {
        return client.endpoints().url(TrainLedgerService.TOR_AGGREGATOR, "/run.html?run=" + ServiceClient.encode(runId));
    }

    /**
     * The audit once the aggregator has reported the whole ledger: events can follow the run's end (the final
     * checkpoint's commit), and the aggregator reports those within its flush interval, so a report that is exact but
     * a few events behind is audited again for up to 30 s. A difference ends the wait at once.
     */
    private static LedgerAudit.Outcome settledAudit(StackConnection connection, String runId) throws InterruptedException {
        LedgerAudit auditor = new LedgerAudit(connection.bootstrapServers(), connection.kafkaClient(), connection.registry());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            LedgerAudit.Outcome o = auditor.audit(runId, Duration.ofSeconds(60));
            if (o.result().matchesWholeLedger() || !o.result().matches() || System.nanoTime() > deadline) {
                return o;
            }
            Thread.sleep(2000);
        }
    }

    /** Whether the services of this data directory are up already (then the demo reuses them). */
    private boolean servicesAnswer() {
        ServiceEndpoints endpoints;
        try {
            endpoints = ServiceEndpoints.read(up.dataDir());
        } catch (RuntimeException e) {
            return false;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (TrainLedgerService s : List.of(TrainLedgerService.TRAINER, TrainLedgerService.TOR_AGGREGATOR)) {
            try {
                URI ready = endpoints.readiness(s);
                if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(3)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                    return false;
                }
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }
}
