package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.commands.CancelRun;
import io.trainledger.commands.InjectFault;
import io.trainledger.commands.RestartRun;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.FailureType;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.plpp.TrainingState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trainer on the real embedded broker and registry ({@link io.trainledger.testing.TrainLedgerStackResource}, via
 * {@link StackResource}): runs from commands to a complete ledger.
 */
@QuarkusTest
@QuarkusTestResource(StackResource.class)
class TrainerRunsTest {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    private StackClient stack;

    @BeforeEach
    void connect() {
        stack = new StackClient(bootstrap, registryUrl);
    }

    @AfterEach
    void disconnect() {
        stack.close();
    }

    @Test
    void aSmallCoopRunGoesToCompletion() throws Exception {
        String runId = "coop-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 30, 10).build()));

        List<RunEvent> ledger = awaitEvent(runId, RunCompleted.class);
        assertCompleteRun(ledger, 30, List.of(10L, 20L, 30L)); // the final state is snapshotted too
        assertThat(payloads(ledger, EvalCompleted.class)).hasSize(1);

        // The same run id again (a new command): refused, and nothing else happens.
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 30, 10).build()));
        List<RunEvent> after = awaitEvent(runId, RunRejected.class);
        assertThat(after).hasSize(ledger.size() + 1);
        RunRejected r = payloads(after, RunRejected.class).get(0);
        assertThat(r.getField()).isEqualTo("runId");
        assertThat(r.getCommand()).isEqualTo("SubmitRun");
    }

    @Test
    void aSmallPlppRunGoesToCompletion() throws Exception {
        String runId = "plpp-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.PLPP, 20, 5)
                .setEvalEverySteps(10).build()));

        List<RunEvent> ledger = awaitEvent(runId, RunCompleted.class);
        assertCompleteRun(ledger, 20, List.of(5L, 10L, 15L, 20L));
        assertThat(payloads(ledger, EvalCompleted.class)).extracting(EvalCompleted::getStep).containsExactly(10L, 20L);
        StepCompleted first = payloads(ledger, StepCompleted.class).get(0);
        assertThat(first.getPplLoss()).isNotZero();
        RunCompleted done = payloads(ledger, RunCompleted.class).get(0);
        assertThat(done.getMetrics()).containsKeys("baseAcc", "newAcc", "hm");
    }

    @Test
    void twoRunsAtOnceOnOneInstanceBothComplete() throws Exception {
        // DJL's gradient collector is process-wide: without StepLock all but one of the runs failed.
        String a = "twin-a-" + UUID.randomUUID();
        String b = "twin-b-" + UUID.randomUUID();
        stack.command(a, TestConfigs.submit(TestConfigs.small(PromptMethod.PLPP, 25, 10).build()));
        stack.command(b, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 25, 10).setSeed(8).build()));

        assertCompleteRun(awaitEvent(a, RunCompleted.class), 25, List.of(10L, 20L, 25L));
        assertCompleteRun(awaitEvent(b, RunCompleted.class), 25, List.of(10L, 20L, 25L));
    }

    @Test
    void aBadSubmissionYieldsExactlyOneRejection() throws Exception {
        String runId = "bad-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.PLPP, 20, 5)
                .setLearningRate(-0.5).build()));
        // A second command on the same run (same partition, handled after the first) marks the end of the first.
        stack.command(runId, new CancelRun("marker"));

        List<RunEvent> ledger = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> stack.ledger(runId), l -> l.size() >= 2);
        assertThat(ledger).extracting(e -> e.getPayload().getClass().getSimpleName())
                .containsExactly("RunRejected", "RunRejected");
        RunRejected rejected = (RunRejected) ledger.get(0).getPayload();
        assertThat(rejected.getCommand()).isEqualTo("SubmitRun");
        assertThat(rejected.getField()).isEqualTo("learningRate");
        assertThat(rejected.getReason()).contains("> 0");
        assertThat(((RunRejected) ledger.get(1).getPayload()).getCommand()).isEqualTo("CancelRun");

        String topK = "topk-" + UUID.randomUUID();
        stack.command(topK, TestConfigs.submit(TestConfigs.small(PromptMethod.PLPP, 20, 5).setTopK(100_000).build()));
        RunRejected tooBig = payloads(awaitEvent(topK, RunRejected.class), RunRejected.class).get(0);
        assertThat(tooBig.getField()).isEqualTo("topK");
    }

    @Test
    void aRestartResumesFromTheCommittedCheckpoint() throws Exception {
        String runId = "resume-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 1_000_000, 10).build()));
        try {
            CheckpointSnapshotted snap = awaitSnapshot(runId, 1, s -> s.getStep() >= 10);
            commit(runId, snap, snap.getStagingUri());
            stack.command(runId, RestartRun.newBuilder().setReason("test").setFailedAttempt(1).build());

            List<RunEvent> ledger = awaitEvent(runId, e -> e.getPayload() instanceof AttemptStarted a
                    && a.getAttempt() == 2);
            AttemptStarted second = attempt(ledger, 2);
            assertThat(second.getRestoredFromStep()).isEqualTo(snap.getStep());
            assertThat(second.getCheckpointUri()).isEqualTo(snap.getStagingUri());
            List<RunEvent> resumed = awaitEvent(runId, e -> e.getAttempt() == 2
                    && e.getPayload() instanceof StepCompleted s && s.getStep() == snap.getStep() + 1);
            assertThat(resumed).filteredOn(e -> e.getAttempt() == 2 && e.getPayload() instanceof StepCompleted)
                    .extracting(e -> ((StepCompleted) e.getPayload()).getStep()).first()
                    .isEqualTo(snap.getStep() + 1);

            // Heartbeats come from their own thread, carry the attempt, and count up.
            List<Heartbeat> beats = await().atMost(Duration.ofSeconds(30)).until(() -> stack.heartbeats(runId),
                    l -> l.stream().anyMatch(h -> h.getAttempt() == 2));
            assertThat(beats).filteredOn(h -> h.getAttempt() == 1).extracting(Heartbeat::getSequence).isSorted();
            assertThat(beats).allSatisfy(h -> assertThat(h.getSource().getService()).isEqualTo("trainer"));
        } finally {
            stack.command(runId, new CancelRun("test over"));
        }
        awaitEvent(runId, RunCancelled.class);
    }

    @Test
    void aCorruptedCommittedCheckpointIsRejectedAndThePreviousOneUsed() throws Exception {
        String runId = "corrupt-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 1_000_000, 10).build()));
        try {
            CheckpointSnapshotted good = awaitSnapshot(runId, 1, s -> s.getStep() == 10);
            CheckpointSnapshotted newest = awaitSnapshot(runId, 1, s -> s.getStep() == 20);
            Path original = Path.of(URI.create(newest.getStagingUri()));
            byte[] bytes = Files.readAllBytes(original);
            assertThat(TrainingState.fromBytes(bytes).step()).isEqualTo(20);
            bytes[bytes.length / 2] ^= 0x01;
            Path corrupted = original.resolveSibling("corrupted-" + original.getFileName());
            Files.write(corrupted, bytes);

            commit(runId, good, good.getStagingUri());
            commit(runId, newest, corrupted.toUri().toString());
            stack.command(runId, RestartRun.newBuilder().setReason("test").setFailedAttempt(1).build());

            List<RunEvent> ledger = awaitEvent(runId, e -> e.getPayload() instanceof AttemptStarted a
                    && a.getAttempt() == 2);
            CheckpointRejected rejected = payloads(ledger, CheckpointRejected.class).get(0);
            assertThat(rejected.getStep()).isEqualTo(20);
            assertThat(rejected.getUri()).isEqualTo(corrupted.toUri().toString());
            assertThat(rejected.getReason()).contains("sha256");
            assertThat(attempt(ledger, 2).getRestoredFromStep()).isEqualTo(10L);

            // Fault injection is off in this configuration: refused, nothing injected.
            stack.command(runId, InjectFault.newBuilder().setType(FailureType.HANG).build());
            RunRejected refused = payloads(awaitEvent(runId, RunRejected.class), RunRejected.class).get(0);
            assertThat(refused.getCommand()).isEqualTo("InjectFault");
            assertThat(refused.getReason()).contains("disabled");
        } finally {
            stack.command(runId, new CancelRun("test over"));
        }
        List<RunEvent> end = awaitEvent(runId, RunCancelled.class);
        assertThat(end).noneMatch(e -> e.getPayload() instanceof io.trainledger.events.FaultInjected);
    }

    @Test
    void aTruncatedCommittedCheckpointIsRejectedAndThePreviousOneUsed() throws Exception {
        String runId = "truncated-" + UUID.randomUUID();
        stack.command(runId, TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 1_000_000, 10).build()));
        try {
            CheckpointSnapshotted good = awaitSnapshot(runId, 1, s -> s.getStep() == 10);
            CheckpointSnapshotted newest = awaitSnapshot(runId, 1, s -> s.getStep() == 20);
            Path original = Path.of(URI.create(newest.getStagingUri()));
            byte[] bytes = Files.readAllBytes(original);
            // A write cut short: the file ends in the middle of the context vectors.
            Path truncated = original.resolveSibling("truncated-" + original.getFileName());
            Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));

            commit(runId, good, good.getStagingUri());
            commit(runId, newest, truncated.toUri().toString());
            stack.command(runId, RestartRun.newBuilder().setReason("test").setFailedAttempt(1).build());

            List<RunEvent> ledger = awaitEvent(runId, e -> e.getPayload() instanceof AttemptStarted a
                    && a.getAttempt() == 2);
            CheckpointRejected rejected = payloads(ledger, CheckpointRejected.class).get(0);
            assertThat(rejected.getStep()).isEqualTo(20);
            assertThat(rejected.getUri()).isEqualTo(truncated.toUri().toString());
            assertThat(rejected.getReason()).contains("sha256");
            assertThat(attempt(ledger, 2).getRestoredFromStep()).isEqualTo(10L);
            assertThat(attempt(ledger, 2).getCheckpointUri()).isEqualTo(good.getStagingUri());
        } finally {
            stack.command(runId, new CancelRun("test over"));
        }
        awaitEvent(runId, RunCancelled.class);
    }

    private void commit(String runId, CheckpointSnapshotted snap, String uri) throws Exception {
        stack.append(runId, 1, "checkpointer", CheckpointCommitted.newBuilder().setStep(snap.getStep()).setUri(uri)
                .setSha256(snap.getSha256()).setBytes(snap.getBytes()).setPersistNanos(1).build());
    }

    private CheckpointSnapshotted awaitSnapshot(String runId, int attempt, Predicate<CheckpointSnapshotted> which) {
        List<RunEvent> ledger = awaitEvent(runId, e -> e.getAttempt() == attempt
                && e.getPayload() instanceof CheckpointSnapshotted s && which.test(s));
        return ledger.stream().filter(e -> e.getAttempt() == attempt).map(RunEvent::getPayload)
                .filter(p -> p instanceof CheckpointSnapshotted s && which.test(s))
                .map(CheckpointSnapshotted.class::cast).findFirst().orElseThrow();
    }

    private static AttemptStarted attempt(List<RunEvent> ledger, int n) {
        return payloads(ledger, AttemptStarted.class).stream().filter(a -> a.getAttempt() == n).findFirst()
                .orElseThrow();
    }

    private void assertCompleteRun(List<RunEvent> ledger, long steps, List<Long> snapshots) throws Exception {
        assertThat(ledger.get(0).getPayload()).isInstanceOf(RunSubmitted.class);
        assertThat(ledger.get(ledger.size() - 1).getPayload()).isInstanceOf(RunCompleted.class);
        assertThat(ledger).extracting(RunEvent::getEventId).doesNotHaveDuplicates();
        assertThat(payloads(ledger, AttemptStarted.class)).singleElement()
                .satisfies(a -> assertThat(a.getAttempt()).isEqualTo(1))
                .satisfies(a -> assertThat(a.getRestoredFromStep()).isNull());
        assertThat(payloads(ledger, StepCompleted.class)).extracting(StepCompleted::getStep)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, steps).boxed().toList());
        List<CheckpointSnapshotted> snaps = payloads(ledger, CheckpointSnapshotted.class);
        assertThat(snaps).extracting(CheckpointSnapshotted::getStep).containsExactlyElementsOf(snapshots);
        for (CheckpointSnapshotted s : snaps) {
            byte[] staged = Files.readAllBytes(Path.of(URI.create(s.getStagingUri())));
            assertThat(staged).hasSize((int) s.getBytes());
            assertThat(Sha256.hex(staged)).isEqualTo(s.getSha256());
            assertThat(TrainingState.fromBytes(staged).step()).isEqualTo(s.getStep());
        }
        assertThat(payloads(ledger, RunCompleted.class).get(0).getFinalStep()).isEqualTo(steps);
        assertThat(ledger).allSatisfy(e -> assertThat(e.getSource().getService()).isEqualTo("trainer"));
    }

    private List<RunEvent> awaitEvent(String runId, Class<?> type) {
        return awaitEvent(runId, e -> type.isInstance(e.getPayload()));
    }

    private List<RunEvent> awaitEvent(String runId, Predicate<RunEvent> which) {
        return await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> stack.ledger(runId), l -> l.stream().anyMatch(which));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> payloads(List<RunEvent> ledger, Class<T> type) {
        return ledger.stream().map(RunEvent::getPayload).filter(type::isInstance).map(p -> (T) p).toList();
    }

    static <T> Optional<T> first(List<RunEvent> ledger, Class<T> type) {
        return payloads(ledger, type).stream().findFirst();
    }
}
