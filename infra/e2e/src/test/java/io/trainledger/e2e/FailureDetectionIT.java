package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.testing.EmbeddedStackExtension;
import io.trainledger.tor.core.detection.DetectionReport;
import io.trainledger.tor.core.detection.DetectionScore;
import io.trainledger.tor.core.detection.TypeScore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6: the failure monitor against the real trainer with fault injection on. Every injected CRASH (a real
 * {@code Runtime.halt} of the trainer process, restarted by the supervisor), HANG and NAN_LOSS is detected exactly
 * once, precision and recall are at least 0.99, and the CRASH detection latency p95 is at most the heartbeat
 * timeout + 1 s, although the monitor itself is killed with SIGKILL during the run. The default run injects a few
 * faults of each type through the trainer's REST API ({@code POST /api/runs/{id}/faults}); {@code -Dtrainledger.full=true} runs the trainer's own chaos schedule to at least
 * 30 faults.
 */
@ExtendWith(EmbeddedStackExtension.class)
class FailureDetectionIT {
    private static final String T = "failure-detection";
    private static final Set<FailureType> SCORED = EnumSet.of(FailureType.CRASH, FailureType.HANG,
            FailureType.NAN_LOSS);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(4);

    private static ServiceFleet fleet;
    private static Ledger ledger;
    private static LedgerTail tail;
    private static TrainerApi api;

    @BeforeAll
    static void start(StackConnection stack) {
        fleet = new ServiceFleet(stack, T);
        ledger = new Ledger(stack);
        tail = new LedgerTail(stack);
        api = new TrainerApi(fleet, "trainer");
        fleet.startCheckpointer("checkpointer", RestartPolicy.onFailure());
        fleet.startMonitor("failure-monitor", RestartPolicy.onFailure());
        // CRASH faults halt the trainer: up to 10 restarts in 5 minutes is the policy of the embedded default.
        fleet.startTrainer("trainer", true, new RestartPolicy(40, Duration.ofMinutes(5), Duration.ofMillis(500),
                Duration.ofSeconds(2)));
        fleet.awaitReady("checkpointer", Duration.ofMinutes(3));
        fleet.awaitReady("failure-monitor", Duration.ofMinutes(3));
        fleet.awaitReady("trainer", Duration.ofMinutes(6));
    }

    @AfterAll
    static void stop() throws Exception {
        E2e.closeAll(tail, ledger, fleet);
    }

    @Test
    void everyInjectedFailureIsDetectedExactlyOnceEvenAcrossAMonitorKill() throws Exception {
        String runId = Runs.newId(E2e.full() ? "e2e-chaos30" : "e2e-chaos");
        tail.follow(runId);
        long t0 = System.nanoTime();
        int monitorKills;
        if (E2e.full()) {
            monitorKills = chaosSchedule(runId, 30);
        } else {
            monitorKills = commandedFaults(runId, List.of(FailureType.NAN_LOSS, FailureType.HANG, FailureType.CRASH,
                    FailureType.NAN_LOSS, FailureType.HANG, FailureType.CRASH, FailureType.NAN_LOSS,
                    FailureType.HANG));
        }
        // A last stretch of healthy steps: no late or repeated verdict may show up.
        int last = Runs.lastAttempt(tail.events(runId));
        long from = Runs.stepOf(tail.events(runId), last);
        await("healthy steps after the last recovery").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> Runs.stepOf(tail.events(runId), last) >= from + 10);
        api.cancel(runId);
        await("cancelled").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> tail.has(runId, e -> e.getPayload() instanceof RunCancelled));
        double minutes = (System.nanoTime() - t0) / 60e9;

        List<RunEvent> events = ledger.read(runId);
        DetectionReport report = DetectionScore.defaults().score(events);
        System.out.print(report.format());
        Map<FailureType, Long> injected = Runs.payloads(events, FaultInjected.class).stream()
                .collect(Collectors.groupingBy(FaultInjected::getType, Collectors.counting()));
        E2e.figure(T, "run", String.format(Locale.ROOT, "%s: %d faults %s over %.1f min, %d attempts, monitor "
                + "killed %d time(s), trainer restarted %d time(s)", runId, injected.values().stream()
                .mapToLong(Long::longValue).sum(), injected, minutes, Runs.lastAttempt(events), monitorKills,
                fleet.supervisor().restarts("trainer")));

        assertThat(injected.keySet()).as("fault types injected").containsAll(SCORED);
        for (FailureType type : SCORED) {
            TypeScore s = report.of(type);
            assertThat(s.truePositives()).as("%s detected", type).isEqualTo(s.injected());
            assertThat(s.detected()).as("%s verdicts (exactly once each)", type).isEqualTo(s.injected());
            assertThat(s.duplicates()).as("%s duplicates", type).isZero();
        }
        // One verdict per failed attempt and type, whoever wrote it.
        Map<String, Long> perAttempt = Runs.payloads(events, FailureDetected.class).stream()
                .filter(d -> SCORED.contains(d.getType()))
                .collect(Collectors.groupingBy(d -> d.getType() + "@" + d.getFailedAttempt(), Collectors.counting()));
        assertThat(perAttempt.values()).as("verdicts per (type, attempt)").allMatch(n -> n == 1);
        TypeScore overall = report.overall();
        assertThat(overall.precision()).as("precision").isGreaterThanOrEqualTo(0.99);
        assertThat(overall.recall()).as("recall").isGreaterThanOrEqualTo(0.99);
        Duration crashP95 = report.of(FailureType.CRASH).latency(0.95);
        Duration bound = ServiceFleet.CRASH_TIMEOUT.plusSeconds(1);
        assertThat(crashP95).as("CRASH detection latency p95").isLessThanOrEqualTo(bound);
        assertThat(fleet.supervisor().restarts("failure-monitor")).isEqualTo(monitorKills);

        for (FailureType type : SCORED) {
            TypeScore s = report.of(type);
            E2e.figure(T, type + " detection", String.format(Locale.ROOT,
                    "injected %d, detected %d, tp %d, duplicates %d, latency p50 %.3f s, p95 %.3f s, max %.3f s",
                    s.injected(), s.detected(), s.truePositives(), s.duplicates(), secs(s.latency(0.5)),
                    secs(s.latency(0.95)), secs(s.latency(1.0))));
        }
        E2e.figure(T, "overall", String.format(Locale.ROOT, "precision %.3f, recall %.3f; CRASH p95 %.3f s <= %.1f s",
                overall.precision(), overall.recall(), secs(crashP95), bound.toMillis() / 1e3));
        List<String> others = Runs.payloads(events, FailureDetected.class).stream()
                .filter(d -> !SCORED.contains(d.getType())).map(d -> d.getType() + ": " + d.getEvidence()).toList();
        E2e.figure(T, "other verdicts (not injected, not scored)", others.toString());
    }

    /**
     * Injects the given faults one after another by InjectFault command, each once the current attempt is stepping,
     * and waits for its verdict and the recovery. The monitor is killed right after the first HANG is injected, so
     * that verdict is made by the restarted monitor.
     */
    private int commandedFaults(String runId, List<FailureType> plan) {
        RunConfig config = Runs.small(PromptMethod.PLPP, 1_000_000, 10, 5).build();
        ledger.submit(runId, config);
        int monitorKills = 0;
        for (FailureType type : plan) {
            int attempt = awaitStepping(runId);
            long faultsBefore = Runs.payloads(tail.events(runId), FaultInjected.class).size();
            api.injectFault(runId, type.name());
            await(type + " injected").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(20))
                    .until(() -> Runs.payloads(tail.events(runId), FaultInjected.class).size() > faultsBefore);
            if (type == FailureType.HANG && monitorKills == 0) {
                long pid = killQuietly("failure-monitor");
                monitorKills++;
                E2e.figure(T, "monitor kill", "pid " + pid + " killed right after a HANG was injected in attempt "
                        + attempt);
            }
            awaitVerdictAndRecovery(runId, type, attempt);
        }
        return monitorKills;
    }

    /** The trainer's own chaos schedule (seeded, exponential inter-arrival) up to {@code faults} faults. */
    private int chaosSchedule(String runId, int faults) {
        RunConfig config = Runs.small(PromptMethod.PLPP, 1_000_000, 10, 5)
                .setChaos(ChaosSettings.newBuilder().setMtbfSeconds(8).setSeed(2026)
                        .setMix(Map.of("CRASH", 1.0, "HANG", 1.0, "NAN_LOSS", 1.0)).setMaxFaults(faults).build())
                .build();
        ledger.submit(runId, config);
        Random random = new Random(7);
        int monitorKills = 0;
        int nextKillAt = 5 + random.nextInt(5);
        while (true) {
            int injected = Runs.payloads(tail.events(runId), FaultInjected.class).size();
            if (injected >= faults) {
                break;
            }
            await("fault " + (injected + 1)).atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(50))
                    .failFast("trainer gave up", () -> fleet.supervisor().gaveUp("trainer"))
                    .until(() -> Runs.payloads(tail.events(runId), FaultInjected.class).size() > injected);
            if (injected + 1 == nextKillAt) {
                killQuietly("failure-monitor");
                monitorKills++;
                nextKillAt += 8 + random.nextInt(8);
            }
        }
        // The last fault's verdict and recovery.
        List<RunEvent> events = tail.events(runId);
        FaultInjected lastFault = Runs.last(events, FaultInjected.class).orElseThrow();
        int attempt = events.stream().filter(e -> e.getPayload() == lastFault).findFirst().orElseThrow().getAttempt();
        awaitVerdictAndRecovery(runId, lastFault.getType(), attempt);
        return monitorKills;
    }

    private void awaitVerdictAndRecovery(String runId, FailureType type, int attempt) {
        await(type + " of attempt " + attempt + " detected").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> tail.has(runId, e -> e.getPayload() instanceof FailureDetected d && d.getType() == type
                        && d.getFailedAttempt() == attempt));
        await("attempt " + (attempt + 1) + " after " + type).atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .failFast("trainer gave up", () -> fleet.supervisor().gaveUp("trainer"))
                .until(() -> Runs.attempt(tail.events(runId), attempt + 1).isPresent());
    }

    /** Waits until the newest attempt has done a few steps of its own; returns its number. */
    private int awaitStepping(String runId) {
        int[] attempt = {0};
        await("an attempt stepping").atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<RunEvent> events = tail.events(runId);
            attempt[0] = Runs.lastAttempt(events);
            if (attempt[0] == 0) {
                return false;
            }
            AttemptStarted a = Runs.attempt(events, attempt[0]).orElseThrow();
            long start = a.getRestoredFromStep() == null ? 0 : a.getRestoredFromStep();
            return Runs.stepOf(events, attempt[0]) >= start + 3;
        });
        return attempt[0];
    }

    private long killQuietly(String name) {
        try {
            return fleet.kill(name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double secs(Duration d) {
        return d == null ? Double.NaN : d.toNanos() / 1e9;
    }

}
