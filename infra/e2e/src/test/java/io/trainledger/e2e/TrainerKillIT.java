package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.plpp.TrainingState;
import io.trainledger.testing.EmbeddedStackExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 5: kill -9 of the real trainer process at random steps, three times in one run. The supervisor restarts it,
 * each new attempt resumes from the last committed checkpoint, the run completes, and its trajectory is bit for bit
 * the one of an uninterrupted run with the same seed: every step's loss (also the re-executed ones), every
 * snapshot's SHA-256 (context vectors, momentum, data order), the final state (the trainer snapshots it at
 * completion) and the final evaluation. Both runs are submitted through the trainer's REST API, as the CLI does.
 */
@ExtendWith(EmbeddedStackExtension.class)
class TrainerKillIT {
    private static final String T = "trainer-kill";
    private static final int KILLS = 3;
    private static final long STEPS = 160;
    private static final int INTERVAL = 10;
    private static final long SEED = 20_261_126L;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(6);
    /** Covers a restarted JVM, DJL start, and the old consumer's session timeout before the partition moves. */
    private static final Duration RESUME_TIMEOUT = Duration.ofMinutes(3);

    private static ServiceFleet fleet;
    private static Ledger ledger;
    private static LedgerTail tail;

    @BeforeAll
    static void start(StackConnection stack) {
        fleet = new ServiceFleet(stack, T);
        ledger = new Ledger(stack);
        tail = new LedgerTail(stack);
        fleet.startCheckpointer("checkpointer", RestartPolicy.onFailure());
        fleet.startTrainer("trainer", false, RestartPolicy.onFailure());
        fleet.awaitReady("checkpointer", Duration.ofMinutes(3));
        fleet.awaitReady("trainer", Duration.ofMinutes(6));
    }

    @AfterAll
    static void stop() throws Exception {
        E2e.closeAll(tail, ledger, fleet);
    }

    @Test
    void aTrainerKilledThreeTimesResumesAndEndsExactlyAsAnUninterruptedRun() throws Exception {
        String reference = Runs.newId("e2e-ref");
        String killed = Runs.newId("e2e-kill");
        tail.follow(reference).follow(killed);

        long r0 = System.nanoTime();
        TrainerApi api = new TrainerApi(fleet, "trainer");
        api.submitSmall(reference, "PLPP", STEPS, INTERVAL, SEED);
        awaitCompleted(reference);
        E2e.figure(T, "uninterrupted run of " + STEPS + " PLPP steps (s)", secs(System.nanoTime() - r0));

        long killSeed = new Random().nextLong();
        Random random = new Random(killSeed);
        E2e.figure(T, "kill-step random seed", Long.toString(killSeed));
        api.submitSmall(killed, "PLPP", STEPS, INTERVAL, SEED);
        List<long[]> kills = new ArrayList<>(); // step at kill, restored step, resume ms
        for (int k = 1; k <= KILLS; k++) {
            int attempt = k;
            await("attempt " + attempt + " started").atMost(RESUME_TIMEOUT).pollInterval(Duration.ofMillis(20))
                    .until(() -> Runs.attempt(tail.events(killed), attempt).isPresent());
            long from = Runs.attempt(tail.events(killed), attempt).get().getRestoredFromStep() == null ? 0
                    : Runs.attempt(tail.events(killed), attempt).get().getRestoredFromStep();
            // a random step past the next checkpoint, leaving room for the remaining kills
            long room = (STEPS - from) / (KILLS - k + 2);
            long target = Math.min(from + INTERVAL + 1 + random.nextInt((int) Math.max(1, room - INTERVAL - 1)),
                    STEPS - 2);
            await("attempt " + attempt + " at step " + target).atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(5))
                    .until(() -> Runs.stepOf(tail.events(killed), attempt) >= target);
            long pid = fleet.kill("trainer");
            long killedAt = System.nanoTime();
            List<RunEvent> atKill = tail.events(killed);
            long stepAtKill = Runs.stepOf(atKill, attempt);
            long committedAtKill = committedSteps(atKill).stream().mapToLong(Long::longValue).max().orElse(0);
            assertThat(stepAtKill).as("the run was still going when killed").isLessThan(STEPS);
            fleet.awaitRestarted("trainer", pid, Duration.ofSeconds(30));
            await("attempt " + (attempt + 1) + " after kill " + k).atMost(RESUME_TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> Runs.attempt(tail.events(killed), attempt + 1).isPresent());
            long resumeMs = (System.nanoTime() - killedAt) / 1_000_000;
            AttemptStarted next = Runs.attempt(tail.events(killed), attempt + 1).get();
            long restored = next.getRestoredFromStep() == null ? 0 : next.getRestoredFromStep();
            assertThat(restored).as("kill %d: restored step", k)
                    .isGreaterThanOrEqualTo(committedAtKill).isLessThanOrEqualTo(stepAtKill);
            kills.add(new long[] {stepAtKill, restored, resumeMs});
            E2e.figure(T, "kill " + k, String.format(Locale.ROOT,
                    "pid %d killed at step %d (committed %d); attempt %d restored step %d, lost %d steps; "
                            + "kill -> AttemptStarted %.1f s (init %.1f s, restore %.3f s)",
                    pid, stepAtKill, committedAtKill, attempt + 1, restored, stepAtKill - restored, resumeMs / 1e3,
                    next.getInitNanos() / 1e9, next.getRestoreNanos() / 1e9));
        }
        awaitCompleted(killed);
        awaitLastSnapshotCommitted(reference);
        awaitLastSnapshotCommitted(killed);

        Map<String, List<RunEvent>> both = ledger.readRuns(List.of(reference, killed));
        List<RunEvent> ref = both.get(reference);
        List<RunEvent> run = both.get(killed);

        // The supervisor restarted the process once per kill, and the ledger has one attempt per process.
        assertThat(fleet.supervisor().restarts("trainer")).isEqualTo(KILLS);
        assertThat(Runs.lastAttempt(ref)).isEqualTo(1);
        assertThat(Runs.lastAttempt(run)).isEqualTo(KILLS + 1);
        assertThat(Runs.payloads(run, RunCompleted.class)).hasSize(1)
                .allSatisfy(c -> assertThat(c.getFinalStep()).isEqualTo(STEPS));

        // Each attempt restored the newest checkpoint committed before it started (ledger order).
        for (int a = 2; a <= KILLS + 1; a++) {
            int attempt = a;
            int at = indexOf(run, e -> e.getPayload() instanceof AttemptStarted s && s.getAttempt() == attempt);
            long newestCommitted = committedSteps(run.subList(0, at)).stream().mapToLong(Long::longValue).max()
                    .orElse(0);
            AttemptStarted s = (AttemptStarted) run.get(at).getPayload();
            assertThat(s.getRestoredFromStep()).as("attempt %d restored from", a).isEqualTo(newestCommitted);
            // no step of an older attempt after this one started: never two writers at once
            assertThat(run.subList(at, run.size())).as("trainer events of older attempts after attempt %d started", a)
                    .noneMatch(e -> e.getAttempt() < attempt && "trainer".equals(e.getSource().getService()));
        }

        // Bit for bit the uninterrupted trajectory: every step's loss, including steps done twice.
        Map<Long, Double> refLoss = lossByStep(ref, 1);
        assertThat(refLoss).hasSize((int) STEPS);
        int compared = 0;
        for (RunEvent e : run) {
            if (e.getPayload() instanceof StepCompleted s) {
                assertThat(Double.doubleToRawLongBits(s.getLoss())).as("loss of step %d, attempt %d", s.getStep(),
                        e.getAttempt()).isEqualTo(Double.doubleToRawLongBits(refLoss.get(s.getStep())));
                compared++;
            }
        }
        assertThat(lossByStep(run, -1).keySet()).containsExactlyElementsOf(refLoss.keySet());
        // Every snapshot is the same state as the uninterrupted run's at that step.
        Map<Long, String> refSnap = snapshotSha(ref);
        Map<Long, String> runSnap = snapshotSha(run);
        assertThat(runSnap).containsAllEntriesOf(refSnap);
        assertThat(runSnap.keySet()).containsExactlyElementsOf(refSnap.keySet());
        // The final evaluation of the final context vectors.
        assertThat(Runs.last(run, RunCompleted.class).get().getMetrics())
                .isEqualTo(Runs.last(ref, RunCompleted.class).get().getMetrics());
        // The newest committed checkpoint of each run, read back: the same context vectors, float for float.
        TrainingState refState = newestCommittedState(ref);
        TrainingState runState = newestCommittedState(run);
        assertThat(runState.step()).isEqualTo(refState.step());
        assertThat(runState.context()).containsExactly(refState.context());
        assertThat(runState.momentum()).containsExactly(refState.momentum());

        E2e.figure(T, "step losses compared bit for bit", Integer.toString(compared)
                + " (of which re-executed after a restore: " + (compared - STEPS) + ")");
        E2e.figure(T, "snapshots compared by sha256", Integer.toString(refSnap.size()));
        E2e.figure(T, "final context vectors equal", refState.context().length + " floats at step "
                + refState.step() + "; final metrics " + Runs.last(run, RunCompleted.class).get().getMetrics());
        E2e.figure(T, "resume times kill -> AttemptStarted (s)", kills.stream()
                .map(k -> String.format(Locale.ROOT, "%.1f", k[2] / 1e3)).toList().toString());
    }

    private static void awaitCompleted(String runId) {
        await(runId + " completed").atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast("trainer gave up", () -> fleet.supervisor().gaveUp("trainer"))
                .until(() -> tail.has(runId, e -> e.getPayload() instanceof RunCompleted));
    }

    /** The checkpointer commits asynchronously: the last snapshot may be committed after RunCompleted. */
    private static void awaitLastSnapshotCommitted(String runId) {
        await(runId + " last snapshot committed").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    List<RunEvent> events = tail.events(runId);
                    long last = Runs.payloads(events, CheckpointSnapshotted.class).stream()
                            .mapToLong(CheckpointSnapshotted::getStep).max().orElse(-1);
                    return committedSteps(events).contains(last);
                });
    }

    private static List<Long> committedSteps(List<RunEvent> events) {
        return Runs.payloads(events, CheckpointCommitted.class).stream().map(CheckpointCommitted::getStep).toList();
    }

    private static Map<Long, Double> lossByStep(List<RunEvent> events, int attempt) {
        Map<Long, Double> m = new TreeMap<>();
        for (RunEvent e : events) {
            if (e.getPayload() instanceof StepCompleted s && (attempt < 0 || e.getAttempt() == attempt)) {
                m.put(s.getStep(), s.getLoss());
            }
        }
        return m;
    }

    private static Map<Long, String> snapshotSha(List<RunEvent> events) {
        Map<Long, String> m = new TreeMap<>();
        for (CheckpointSnapshotted s : Runs.payloads(events, CheckpointSnapshotted.class)) {
            String before = m.put(s.getStep(), s.getSha256());
            assertThat(before == null || before.equals(s.getSha256())).as("two different states at step %d",
                    s.getStep()).isTrue();
        }
        return m;
    }

    private static TrainingState newestCommittedState(List<RunEvent> events) throws Exception {
        CheckpointCommitted c = Runs.last(events, CheckpointCommitted.class).orElseThrow();
        return TrainingState.fromBytes(Files.readAllBytes(Path.of(URI.create(c.getUri()))));
    }

    private static int indexOf(List<RunEvent> events, java.util.function.Predicate<RunEvent> p) {
        for (int i = 0; i < events.size(); i++) {
            if (p.test(events.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event");
    }

    private static String secs(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

}
