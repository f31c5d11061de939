package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.ApiToken;
import io.trainledger.infra.local.ServiceEndpoints;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.infra.local.TrainLedgerService;
import io.trainledger.tor.core.detection.DetectionReport;
import io.trainledger.tor.core.detection.DetectionScore;
import io.trainledger.tor.core.detection.TypeScore;
import io.trainledger.tor.aggregator.dashboard.DashboardCheck;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, end to end from the CLI: {@code trainledger up} (the CLI's main class as a child process, on a fresh data
 * directory) starts the broker, the registry and the four supervised services; a PLPP run with fault injection of
 * every type is submitted over the trainer's REST API with the token {@code up} generated; the run completes; every
 * injected CRASH, HANG and NAN_LOSS is detected; {@code trainledger audit} says identical; {@code trainledger down}
 * stops everything and no process of that data directory is left.
 */
class CliChaosEndToEndIT {
    private static final String T = "cli-chaos";
    private static final String CLI_MAIN = "io.trainledger.cli.TrainLedgerCommand";
    private static final Set<FailureType> SCORED = EnumSet.of(FailureType.CRASH, FailureType.HANG,
            FailureType.NAN_LOSS);

    @Test
    void upAChaosRunAuditAndDown() throws Exception {
        Path data = E2e.newDir(T).resolve("data");
        Path logs = data.getParent();
        Process up = cli(logs.resolve("up.out"), "up", "--data-dir", data.toString(), "--repo-root",
                E2e.repoRoot().toString());
        Runtime.getRuntime().addShutdownHook(new Thread(up::destroyForcibly));
        try {
            long t0 = System.nanoTime();
            await("up: endpoints.properties").atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofSeconds(1))
                    .failFast("up exited", () -> !up.isAlive())
                    .until(() -> Files.isRegularFile(data.resolve(ServiceEndpoints.FILE)));
            E2e.figure(T, "up: stack and four services ready (s)", String.format(Locale.ROOT, "%.1f",
                    (System.nanoTime() - t0) / 1e9));
            ServiceEndpoints endpoints = ServiceEndpoints.read(data);
            String token = ApiToken.read(data);
            StackConnection stack = StackConnection.read(data);

            String runId = Runs.newId("e2e-cli");
            String body = String.format(Locale.ROOT, """
                    {"runId": "%s", "method": "PLPP", "dataset": "hue-shift", "shots": 2, "seed": 9, "steps": 300,
                     "batchSize": 16, "contextLength": 4, "contextInit": "a photo of a", "device": "cpu",
                     "checkpoint": {"intervalSteps": 10, "adaptive": false},
                     "chaos": {"mtbfSeconds": 3, "seed": 97, "maxFaults": 6, "stragglerFactor": 3.0,
                               "stragglerSeconds": 4.0,
                               "mix": {"CRASH": 1.0, "HANG": 1.0, "NAN_LOSS": 1.0, "STRAGGLER": 1.0}}}""", runId);
            HttpResponse<String> submitted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            endpoints.url(TrainLedgerService.TRAINER, "/api/runs"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);

            try (Ledger ledger = new Ledger(stack)) {
                long r0 = System.nanoTime();
                List<RunEvent> events = await("the chaos run completes").atMost(Duration.ofMinutes(15))
                        .pollInterval(Duration.ofSeconds(3)).failFast("up exited", () -> !up.isAlive())
                        .until(() -> ledger.read(runId),
                                l -> l.stream().anyMatch(e -> e.getPayload() instanceof RunCompleted));
                double runMinutes = (System.nanoTime() - r0) / 60e9;
                // Verdicts of the last faults may trail the completion by a timeout.
                Map<FailureType, Long> injected = Runs.payloads(events, FaultInjected.class).stream()
                        .collect(Collectors.groupingBy(FaultInjected::getType, Collectors.counting()));
                // Seed 97, mean 3 s: the trainer's ChaosSchedule draws, attempt by attempt, HANG; CRASH; STRAGGLER then
                // NAN_LOSS; HANG; NAN_LOSS, each within 3 s of training into its attempt (long before 300 steps end).
                assertThat(injected).as("faults injected by the chaos schedule")
                        .containsOnlyKeys(FailureType.CRASH, FailureType.HANG, FailureType.NAN_LOSS,
                                FailureType.STRAGGLER);
                DetectionReport report = await("every injected CRASH, HANG and NAN_LOSS detected")
                        .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> DetectionScore.defaults().score(ledger.read(runId)), r -> SCORED.stream()
                                .filter(injected::containsKey)
                                .allMatch(t -> r.of(t).truePositives() == r.of(t).injected()));
                System.out.print(report.format());
                for (FailureType type : SCORED) {
                    if (injected.containsKey(type)) {
                        TypeScore s = report.of(type);
                        assertThat(s.detected()).as("%s verdicts", type).isEqualTo(s.injected());
                    }
                }
                E2e.figure(T, "run", String.format(Locale.ROOT, "%s completed in %.1f min with faults %s, %d attempts",
                        runId, runMinutes, injected, Runs.lastAttempt(events)));

                // audit from the CLI, as a user runs it
                Process audit = cli(logs.resolve("audit.out"), "audit", runId, "--data-dir", data.toString());
                String auditOut = awaitExit(audit, logs.resolve("audit.out"), Duration.ofMinutes(3));
                assertThat(audit.exitValue()).as(auditOut).isZero();
                assertThat(auditOut).contains("identical. The aggregator's report equals the fold of all");
                E2e.figure(T, "audit", auditOut.strip());

                // the dashboard served by the aggregator, in headless Chromium, against that run
                String aggregator = endpoints.url(TrainLedgerService.TOR_AGGREGATOR).toString()
                        .replaceAll("/$", "");
                try (DashboardCheck browser = DashboardCheck.start()) {
                    DashboardCheck.RunPage page = browser.openRun(aggregator, runId, Duration.ofMinutes(2));
                    Path png = browser.screenshot(logs.resolve("dashboard-" + runId + ".png"));
                    assertThat(page.points("tor-chart")).as("TOR points").isGreaterThanOrEqualTo(2);
                    assertThat(page.points("loss-chart")).as("loss points").isPositive();
                    assertThat(page.points("timeline-chart")).as("timeline points").isPositive();
                    assertThat(page.shownTor()).as("TOR shown").isNotNull().isBetween(0.0, 1.0);
                    assertThat(page.status()).as("status shown").isNotBlank();
                    E2e.figure(T, "dashboard", String.format(Locale.ROOT, "points %s, TOR shown %.4f, status %s, %s",
                            page.points(), page.shownTor(), page.status().strip(), png));
                }
            }
        } finally {
            long d0 = System.nanoTime();
            Process down = cli(logs.resolve("down.out"), "down", "--data-dir", data.toString());
            String downOut = awaitExit(down, logs.resolve("down.out"), Duration.ofMinutes(3));
            assertThat(down.exitValue()).as(downOut).isZero();
            assertThat(up.waitFor(2, TimeUnit.MINUTES)).as("up ended after down").isTrue();
            E2e.figure(T, "down (s)", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - d0) / 1e9));
        }
        // No process of that data directory is left (broker, registry, services, watchdogs).
        List<String> left = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> p.info().commandLine()
                .filter(c -> c.contains(data.toString())).ifPresent(c -> left.add(p.pid() + " " + c)));
        assertThat(left).as("processes left behind").isEmpty();
    }

    /** The CLI's main class as a child process, with this JVM's class path (the CLI is a test dependency). */
    private static Process cli(Path out, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), CLI_MAIN));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        // The services inherit this environment: the trainer uses the small test backbone (seconds to pretrain)
        // instead of the standard one (minutes), as every trainer of these tests does.
        pb.environment().put("TRAINLEDGER_TRAINER_BACKBONE_SIZE", "small");
        pb.environment().put("TRAINLEDGER_TRAINER_BACKBONE_PRETRAIN_STEPS", "40");
        pb.environment().put("TRAINLEDGER_TRAINER_TEST_PER_CLASS", "4");
        return pb.start();
    }

    private static String awaitExit(Process p, Path out, Duration atMost) throws Exception {
        if (!p.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("CLI did not exit within " + atMost + ": " + Files.readString(out));
        }
        return Files.readString(out);
    }

}
