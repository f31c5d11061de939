package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import io.trainledger.testing.EmbeddedStackExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 5: two trainer instances and four runs. Each run is executed by exactly one instance; kill -9 of one
 * instance (its restart disabled) moves its runs to the other by consumer-group rebalance, where they resume from
 * their committed checkpoints; the ledger shows no run ever stepped by two attempts or instances at once.
 */
@ExtendWith(EmbeddedStackExtension.class)
class TrainerRebalanceIT {
    private static final String T = "trainer-rebalance";
    /** The trainers' consumer group (trainledger.trainer.group, its default). */
    private static final String TRAINER_GROUP = "trainledger-trainer";
    private static final long STEPS = 120;
    private static final int INTERVAL = 10;

    private static ServiceFleet fleet;
    private static Ledger ledger;
    private static LedgerTail tail;
    private static int partitions;

    @BeforeAll
    static void start(StackConnection stack) throws Exception {
        fleet = new ServiceFleet(stack, T);
        ledger = new Ledger(stack);
        tail = new LedgerTail(stack);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            partitions = admin.describeTopics(List.of(Topics.COMMANDS.name())).allTopicNames().get()
                    .get(Topics.COMMANDS.name()).partitions().size();
        }
        fleet.startCheckpointer("checkpointer", RestartPolicy.onFailure());
        // Restarts disabled: the killed instance stays down, so only a rebalance can move its runs.
        fleet.startTrainer("trainer-a", false, RestartPolicy.never());
        fleet.awaitReady("trainer-a", Duration.ofMinutes(6));
        fleet.startTrainer("trainer-b", false, RestartPolicy.never());
        fleet.awaitReady("trainer-b", Duration.ofMinutes(6));
        fleet.awaitReady("checkpointer", Duration.ofMinutes(3));
        // Ready is not yet a settled group: runs submitted while trainer-a still owns every partition (or while a
        // static member of an earlier test class, gone without leaving, still holds some) would all start on one
        // instance. Wait until the trainers' group is stable with exactly these two members, each owning partitions.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            await("trainer group stable with trainer-a and trainer-b owning partitions").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(250)).until(() -> {
                        var group = admin.describeConsumerGroups(List.of(TRAINER_GROUP)).describedGroups()
                                .get(TRAINER_GROUP).get();
                        Set<String> owners = group.members().stream()
                                .filter(m -> !m.assignment().topicPartitions().isEmpty())
                                .map(m -> m.groupInstanceId().orElse(m.consumerId()))
                                .map(id -> id.startsWith("trainer-a") ? "trainer-a"
                                        : id.startsWith("trainer-b") ? "trainer-b" : id)
                                .collect(Collectors.toSet());
                        return group.groupState() == org.apache.kafka.common.GroupState.STABLE
                                && group.members().size() == 2 && owners.equals(Set.of("trainer-a", "trainer-b"));
                    });
        }
    }

    @AfterAll
    static void stop() throws Exception {
        E2e.closeAll(tail, ledger, fleet);
    }

    @Test
    void runsOfAKilledInstanceMoveToTheOtherAndResumeWithoutEverRunningTwice() throws Exception {
        // Four runs covering every partition: with two members each instance owns at least one partition, so both
        // execute runs.
        List<String> runs = runIdsCoveringPartitions(4);
        runs.forEach(tail::follow);
        for (int i = 0; i < runs.size(); i++) {
            ledger.submit(runs.get(i), Runs.small(PromptMethod.COOP, STEPS, INTERVAL, 40 + i).build());
        }
        await("every run started and has a committed checkpoint").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> runs.stream().allMatch(r ->
                        Runs.attempt(tail.events(r), 1).isPresent()
                                && !Runs.payloads(tail.events(r), CheckpointCommitted.class).isEmpty()));
        Map<String, String> firstOwner = new HashMap<>();
        runs.forEach(r -> firstOwner.put(r, instanceOf(tail.events(r), 1)));
        assertThat(new HashSet<>(firstOwner.values())).as("both instances execute runs")
                .containsExactlyInAnyOrder("trainer-a", "trainer-b");

        String victim = firstOwner.get(runs.get(0));
        String survivor = victim.equals("trainer-a") ? "trainer-b" : "trainer-a";
        List<String> moved = runs.stream().filter(r -> firstOwner.get(r).equals(victim)).toList();
        assertThat(moved).allSatisfy(r -> assertThat(tail.has(r, e -> e.getPayload() instanceof RunCompleted))
                .as("%s still running at the kill", r).isFalse());
        Map<String, Long> committedAtKill = new HashMap<>();
        moved.forEach(r -> committedAtKill.put(r, Runs.payloads(tail.events(r), CheckpointCommitted.class).stream()
                .mapToLong(CheckpointCommitted::getStep).max().orElse(0)));
        long pid = fleet.kill(victim);
        long killedAt = System.nanoTime();
        E2e.figure(T, "kill", victim + " (pid " + pid + ") owning " + moved.size() + " of 4 runs; committed steps "
                + committedAtKill);

        await("the killed instance's runs resumed on " + survivor).atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> moved.stream().allMatch(r -> Runs.attempt(tail.events(r), 2).isPresent()));
        double moveSeconds = (System.nanoTime() - killedAt) / 1e9;
        await("all four runs completed").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(500))
                .until(() -> runs.stream().allMatch(r -> tail.has(r, e -> e.getPayload() instanceof RunCompleted)));
        assertThat(fleet.supervisor().process(victim)).as("the killed instance stays down").isEmpty();

        Map<String, List<RunEvent>> ledgers = ledger.readRuns(runs);
        for (String r : runs) {
            List<RunEvent> events = ledgers.get(r);
            assertThat(Runs.payloads(events, RunCompleted.class)).as("%s completed once", r).hasSize(1);
            // Every attempt is executed by one instance; attempts never overlap in time or in ledger order.
            Map<Integer, Set<String>> instances = new TreeMap<>();
            for (RunEvent e : events) {
                if (e.getPayload() instanceof StepCompleted || e.getPayload() instanceof AttemptStarted) {
                    instances.computeIfAbsent(e.getAttempt(), a -> new HashSet<>()).add(e.getSource().getInstance());
                }
            }
            instances.forEach((a, who) -> assertThat(who).as("%s attempt %d executed by", r, a).hasSize(1));
            assertNoOverlap(r, events);
            if (moved.contains(r)) {
                assertThat(instances).as("%s attempts", r).containsOnlyKeys(1, 2);
                assertThat(instances.get(2)).containsExactly(survivor);
                AttemptStarted second = Runs.attempt(events, 2).orElseThrow();
                int at = events.indexOf(events.stream().filter(e -> e.getPayload() == second).findFirst().get());
                long newest = Runs.payloads(events.subList(0, at), CheckpointCommitted.class).stream()
                        .mapToLong(CheckpointCommitted::getStep).max().orElse(0);
                assertThat(second.getRestoredFromStep()).as("%s resumed from its newest committed checkpoint", r)
                        .isEqualTo(newest).isGreaterThanOrEqualTo(committedAtKill.get(r));
                assertReExecutedStepsIdentical(r, events);
                E2e.figure(T, "moved run " + r, String.format(Locale.ROOT,
                        "attempt 1 on %s to step %d, attempt 2 on %s from step %d",
                        victim, Runs.stepOf(events, 1), survivor, second.getRestoredFromStep()));
            } else {
                assertThat(instances.keySet()).as("%s was not disturbed", r).containsExactly(1);
            }
        }
        E2e.figure(T, "kill -> every moved run's AttemptStarted on the survivor (s)",
                String.format(Locale.ROOT, "%.1f", moveSeconds));
    }

    /** Ledger order and event time: every StepCompleted of attempt n precedes AttemptStarted of attempt n+1. */
    private static void assertNoOverlap(String runId, List<RunEvent> events) {
        Map<Integer, Instant> lastStep = new HashMap<>();
        Map<Integer, Instant> started = new HashMap<>();
        int highestStarted = 0;
        for (RunEvent e : events) {
            if (e.getPayload() instanceof AttemptStarted a) {
                highestStarted = Math.max(highestStarted, a.getAttempt());
                started.put(a.getAttempt(), e.getEventTime());
            } else if (e.getPayload() instanceof StepCompleted) {
                assertThat(e.getAttempt()).as("%s: a step of attempt %d after attempt %d started", runId,
                        e.getAttempt(), highestStarted).isEqualTo(highestStarted);
                lastStep.put(e.getAttempt(), e.getEventTime());
            }
        }
        lastStep.forEach((a, t) -> {
            Instant next = started.get(a + 1);
            if (next != null) {
                assertThat(t).as("%s: attempt %d stepped until %s, attempt %d started at %s", runId, a, t, a + 1,
                        next).isBefore(next);
            }
        });
    }

    /** Steps done by both attempts (between the checkpoint and the kill) have bit-identical losses. */
    private static void assertReExecutedStepsIdentical(String runId, List<RunEvent> events) {
        Map<Long, Double> first = new HashMap<>();
        int twice = 0;
        for (RunEvent e : events) {
            if (e.getPayload() instanceof StepCompleted s) {
                Double before = first.putIfAbsent(s.getStep(), s.getLoss());
                if (before != null) {
                    twice++;
                    assertThat(Double.doubleToRawLongBits(s.getLoss())).as("%s step %d redone", runId, s.getStep())
                            .isEqualTo(Double.doubleToRawLongBits(before));
                }
            }
        }
        E2e.figure(T, "re-executed steps with identical loss, " + runId, Integer.toString(twice));
    }

    private static String instanceOf(List<RunEvent> events, int attempt) {
        return events.stream().filter(e -> e.getAttempt() == attempt && e.getPayload() instanceof AttemptStarted)
                .map(e -> e.getSource().getInstance().toString()).findFirst().orElseThrow();
    }

    private static List<String> runIdsCoveringPartitions(int n) {
        List<String> ids = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        while (ids.size() < n) {
            String id = Runs.newId("e2e-rebal");
            int p = Ledger.partitionOf(id, partitions);
            if (!covered.contains(p) || covered.size() == partitions) {
                covered.add(p);
                ids.add(id);
            }
        }
        assertThat(ids.stream().map(i -> Ledger.partitionOf(i, partitions)).collect(Collectors.toSet()))
                .hasSize(Math.min(n, partitions));
        return ids;
    }
}
