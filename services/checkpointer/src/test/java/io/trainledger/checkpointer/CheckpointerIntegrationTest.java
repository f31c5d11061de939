package io.trainledger.checkpointer;

import static io.restassured.RestAssured.given;
import static io.trainledger.checkpointer.LedgerFixture.newRunId;
import static io.trainledger.checkpointer.LedgerFixture.policy;
import static io.trainledger.checkpointer.LedgerFixture.randomBytes;
import static io.trainledger.checkpointer.LedgerFixture.sha256;
import static io.trainledger.checkpointer.LedgerFixture.snapshot;
import static io.trainledger.checkpointer.LedgerFixture.stage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterHeaders;
import io.trainledger.testing.TrainLedgerStackResource;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The checkpointer on the real embedded broker and registry: it plays the trainer (stages bytes, appends
 * CheckpointSnapshotted) and reads what the service appends. Every test uses its own run id on the shared ledger.
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
class CheckpointerIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LedgerFixture fixture;

    @Inject
    CommitFault commitFault;

    @BeforeEach
    void ready() {
        if (fixture == null) {
            fixture = new LedgerFixture();
        }
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
    }

    @AfterAll
    static void close() {
        if (fixture != null) {
            fixture.close();
            fixture = null;
        }
    }

    @Test
    void commitsAStagedSnapshotAndServesItOverRest() throws Exception {
        String runId = newRunId("commit");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        byte[] content = randomBytes(200_000);
        String sha = sha256(content);
        Path staged = stage(runId, 10, content);
        fixture.append(snapshot(runId, 10, staged, sha, content.length, 5_000_000, Instant.now()));

        CheckpointCommitted committed = await().atMost(WAIT)
                .until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> !l.isEmpty()).get(0);
        assertThat(committed.getStep()).isEqualTo(10);
        assertThat(committed.getSha256()).isEqualTo(sha);
        assertThat(committed.getBytes()).isEqualTo(content.length);
        assertThat(committed.getPersistNanos()).isPositive();
        Path stored = Path.of(URI.create(committed.getUri()));
        assertThat(stored).isEqualTo(LedgerFixture.STORE.resolve("objects").resolve(sha.substring(0, 2)).resolve(sha));
        assertThat(Files.readAllBytes(stored)).isEqualTo(content);
        RunEvent envelope = fixture.ledger(runId).stream()
                .filter(e -> e.getPayload() instanceof CheckpointCommitted).findFirst().orElseThrow();
        assertThat(envelope.getSource().getService()).isEqualTo("checkpointer");
        assertThat(envelope.getAttempt()).isEqualTo(1);
        await().atMost(WAIT).until(() -> !Files.exists(staged));

        await().atMost(WAIT).untilAsserted(() -> given().get("/runs/{runId}/checkpoints/latest", runId).then()
                .statusCode(200).body("sha256", equalTo(sha)).body("step", equalTo(10))
                .body("bytes", equalTo(content.length)));
        byte[] downloaded = given().get("/runs/{runId}/checkpoints/latest/content", runId).then().statusCode(200)
                .header("X-Checkpoint-Sha256", sha).extract().asByteArray();
        assertThat(downloaded).isEqualTo(content);
        given().get("/runs/{runId}/checkpoints", runId).then().statusCode(200)
                .body("checkpoints.size()", equalTo(1)).body("checkpoints[0].sha256", equalTo(sha))
                .body("keepLast", equalTo(3));
        given().get("/runs/{runId}/checkpoints/10/content", runId).then().statusCode(200);
    }

    @Test
    void restAnswers404ForUnknownRunsAnd400ForBadParameters() throws Exception {
        given().get("/runs/{runId}/checkpoints/latest", "no-such-run").then().statusCode(404)
                .body("error", containsString("unknown run no-such-run"));
        given().get("/runs/{runId}/checkpoints", "no-such-run").then().statusCode(404);
        given().get("/runs/{runId}/checkpoints/latest/content", "no-such-run").then().statusCode(404);
        given().get("/runs/{runId}/checkpoints/{step}", "any", "ten").then().statusCode(400)
                .body("error", containsString("non-negative integer"));
        given().get("/runs/{runId}/checkpoints/{step}/content", "any", "-3").then().statusCode(400);
        given().get("/runs/{runId}/checkpoints", "bad run id!").then().statusCode(400)
                .body("error", containsString("malformed run id"));

        String runId = newRunId("empty");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        await().atMost(WAIT).untilAsserted(() -> given().get("/runs/{runId}/checkpoints", runId).then()
                .statusCode(200).body("checkpoints.size()", equalTo(0)));
        given().get("/runs/{runId}/checkpoints/latest", runId).then().statusCode(404)
                .body("error", containsString("no committed checkpoint"));
        given().get("/runs/{runId}/checkpoints/{step}", runId, 7).then().statusCode(404)
                .body("error", containsString("at step 7"));
    }

    @Test
    void rejectsASnapshotWhoseBytesDoNotMatchItsHash() throws Exception {
        String runId = newRunId("mismatch");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        byte[] content = randomBytes(10_000);
        String claimed = sha256(randomBytes(10_000));
        Path staged = stage(runId, 10, content);
        fixture.append(snapshot(runId, 10, staged, claimed, content.length, 1_000_000, Instant.now()));

        CheckpointRejected rejected = await().atMost(WAIT)
                .until(() -> fixture.payloads(runId, CheckpointRejected.class), l -> !l.isEmpty()).get(0);
        assertThat(rejected.getStep()).isEqualTo(10);
        assertThat(rejected.getSha256()).isEqualTo(claimed);
        assertThat(rejected.getReason()).contains("hash mismatch").contains(sha256(content));
        assertThat(fixture.payloads(runId, CheckpointCommitted.class)).isEmpty();
        assertThat(LedgerFixture.STORE.resolve("objects").resolve(claimed.substring(0, 2)).resolve(claimed))
                .doesNotExist();

        // A missing staged file is rejected too.
        Path missing = LedgerFixture.STAGING.resolve(runId).resolve("never-written.ckpt");
        fixture.append(snapshot(runId, 20, missing, sha256(content), content.length, 1_000_000, Instant.now()));
        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointRejected.class), l -> l.size() == 2);
        assertThat(fixture.payloads(runId, CheckpointRejected.class).get(1).getReason()).contains("missing");
        given().get("/runs/{runId}/checkpoints/latest", runId).then().statusCode(404);
    }

    @Test
    void aRedeliveredSnapshotIsNotCommittedTwice() throws Exception {
        String runId = newRunId("redelivery");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        byte[] content = randomBytes(50_000);
        String sha = sha256(content);
        RunEvent first = snapshot(runId, 10, stage(runId, 10, content), sha, content.length, 1_000_000, Instant.now());
        fixture.append(first);
        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> l.size() == 1);

        // The same envelope again (a producer retry past idempotence, or a replay), and a second envelope for the
        // same snapshot; then a later snapshot as a marker: the partition is processed in order.
        fixture.append(first);
        fixture.append(snapshot(runId, 10, stage(runId, 10, content), sha, content.length, 1_000_000, Instant.now()));
        byte[] later = randomBytes(50_000);
        fixture.append(snapshot(runId, 20, stage(runId, 20, later), sha256(later), later.length, 1_000_000,
                Instant.now()));

        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> l.size() == 2);
        List<CheckpointCommitted> commits = fixture.payloads(runId, CheckpointCommitted.class);
        assertThat(commits).extracting(CheckpointCommitted::getStep).containsExactly(10L, 20L);
        assertThat(fixture.payloads(runId, CheckpointRejected.class)).isEmpty();
    }

    @Test
    void aSnapshotAlreadyDurableBeforeACrashIsCommittedWithoutItsStagedFile() throws Exception {
        // kill -9 after the store's rename but before CheckpointCommitted: the bytes are in the store, and the
        // staged file may already be gone. The redelivered snapshot is committed from the store.
        String runId = newRunId("crash");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        byte[] content = randomBytes(30_000);
        String sha = sha256(content);
        Path object = LedgerFixture.STORE.resolve("objects").resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(object.getParent());
        Files.write(object, content);
        Path gone = LedgerFixture.STAGING.resolve(runId).resolve("step-10.ckpt");
        fixture.append(snapshot(runId, 10, gone, sha, content.length, 1_000_000, Instant.now()));

        CheckpointCommitted committed = await().atMost(WAIT)
                .until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> !l.isEmpty()).get(0);
        assertThat(committed.getSha256()).isEqualTo(sha);
        assertThat(Path.of(URI.create(committed.getUri()))).isEqualTo(object);
    }

    @Test
    void retentionKeepsTheLastKAndEveryNthAndRecordsDeletions() throws Exception {
        String runId = newRunId("retention");
        // interval 10, keepLast 2, keepEvery 3: after step 60, 50 and 60 are the last two, 30 is a multiple of 30
        // and is kept for ever; 10, 20 and 40 go.
        fixture.submit(runId, policy(10, false, 2, 3), Instant.now());
        String[] shas = new String[7];
        for (int i = 1; i <= 6; i++) {
            byte[] content = randomBytes(5_000);
            shas[i] = sha256(content);
            fixture.append(snapshot(runId, i * 10L, stage(runId, i * 10L, content), shas[i], content.length,
                    1_000_000, Instant.now()));
        }
        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> l.size() == 6);
        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointDeleted.class), l -> l.size() == 3);
        List<CheckpointDeleted> deleted = fixture.payloads(runId, CheckpointDeleted.class);
        assertThat(deleted).extracting(CheckpointDeleted::getStep).containsExactly(10L, 20L, 40L);
        assertThat(deleted.get(0).getReason()).contains("keepLast=2");
        for (int i : new int[] {1, 2, 4}) {
            assertThat(LedgerFixture.STORE.resolve("objects").resolve(shas[i].substring(0, 2)).resolve(shas[i]))
                    .doesNotExist();
        }
        given().get("/runs/{runId}/checkpoints", runId).then().statusCode(200)
                .body("checkpoints.step", equalTo(List.of(30, 50, 60)));
        given().get("/runs/{runId}/checkpoints/latest", runId).then().statusCode(200).body("step", equalTo(60));
        given().get("/runs/{runId}/checkpoints/10", runId).then().statusCode(404);
    }

    @Test
    void aCheckpointRejectedAtRestoreIsNoLongerServedAsLatest() throws Exception {
        // The trainer found the newest committed checkpoint corrupt when restoring and said so on the ledger.
        String runId = newRunId("restore-reject");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        String newest = null;
        for (long step : new long[] {10, 20}) {
            byte[] content = randomBytes(2_000);
            newest = sha256(content);
            fixture.append(snapshot(runId, step, stage(runId, step, content), newest, content.length, 1_000_000,
                    Instant.now()));
        }
        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> l.size() == 2);
        fixture.append(io.trainledger.schemas.RunEvents.of(runId, 2, io.trainledger.schemas.RunEvents.source("trainer",
                "it"), CheckpointRejected.newBuilder().setStep(20).setSha256(newest)
                .setUri("file:///whatever").setReason("sha256 mismatch at restore").build()));
        await().atMost(WAIT).untilAsserted(() -> given().get("/runs/{runId}/checkpoints/latest", runId).then()
                .statusCode(200).body("step", equalTo(10)));
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndProcessingContinues() throws Exception {
        String runId = newRunId("poison");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        RecordMetadata poison = fixture.appendRaw(runId, "not an avro record".getBytes(StandardCharsets.UTF_8));
        byte[] content = randomBytes(5_000);
        String sha = sha256(content);
        fixture.append(snapshot(runId, 10, stage(runId, 10, content), sha, content.length, 1_000_000,
                Instant.now()));

        await().atMost(WAIT).until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> l.size() == 1);
        ConsumerRecord<byte[], byte[]> dead = await().atMost(WAIT).until(() -> fixture.deadLetters().stream()
                .filter(r -> header(r, DeadLetterHeaders.SOURCE_TOPIC).equals(Topics.RUN_EVENTS.name())
                        && header(r, DeadLetterHeaders.SOURCE_PARTITION).equals(Integer.toString(poison.partition()))
                        && header(r, DeadLetterHeaders.SOURCE_OFFSET).equals(Long.toString(poison.offset())))
                .toList(), l -> !l.isEmpty()).get(0);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not an avro record");
        assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(runId);
        assertThat(header(dead, DeadLetterHeaders.CONSUMER)).isEqualTo("trainledger-checkpointer");
        assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith("cannot deserialize value");
    }

    @Test
    void anAdaptiveRunGetsTheDalyOptimum() throws Exception {
        // Hand-computed as in AdaptiveIntervalTest: 10 steps of 0.5 s, 4 rollback failures over 1600 s of the run
        // (M = 400 s), one snapshot with a 2 s stall: Daly 38.678 s = 77 steps; the policy says 50 (moved 54%).
        String runId = newRunId("adaptive");
        Instant t0 = Instant.now().minus(Duration.ofSeconds(1600)).truncatedTo(ChronoUnit.SECONDS);
        long t0Micros = t0.getEpochSecond() * 1_000_000L;
        fixture.submit(runId, policy(50, true, 3, 0), t0);
        RunEventFactory trainer = new RunEventFactory(runId, System.nanoTime());
        for (int step = 1; step <= 10; step++) {
            fixture.append(trainer.step(t0Micros + step * 500_000L, 1, step, 500_000_000L));
        }
        for (int i = 1; i <= 4; i++) {
            long t = t0Micros + i * 400_000_000L - 1_000_000L;
            fixture.append(trainer.failureDetected(t, i, FailureType.CRASH, t - 1_000_000L, 10));
        }
        byte[] content = randomBytes(1_000);
        fixture.append(snapshot(runId, 10, stage(runId, 10, content), sha256(content), content.length,
                2_000_000_000L, t0.plusSeconds(1600)));

        RunCommand command = await().atMost(WAIT)
                .until(() -> fixture.commands(runId), l -> !l.isEmpty()).get(0);
        SetCheckpointPolicy set = (SetCheckpointPolicy) command.getPayload();
        assertThat(set.getPolicy().getIntervalSteps()).isEqualTo(77);
        assertThat(set.getPolicy().getAdaptive()).isTrue();
        assertThat(set.getPolicy().getKeepLast()).isEqualTo(3);
        assertThat(set.getReason()).startsWith("Daly optimum moved from 50 to 77 steps");
        assertThat(command.getIssuedBy().getService()).isEqualTo("checkpointer");

        // A non-adaptive run with the same history gets nothing.
        String fixed = newRunId("fixed");
        fixture.submit(fixed, policy(50, false, 3, 0), t0);
        fixture.append(new RunEventFactory(fixed, 1).failureDetected(t0Micros + 1_000_000L, 1, FailureType.CRASH,
                t0Micros, 0));
        byte[] other = randomBytes(1_000);
        fixture.append(snapshot(fixed, 10, stage(fixed, 10, other), sha256(other), other.length, 2_000_000_000L,
                t0.plusSeconds(1600)));
        await().atMost(WAIT).until(() -> fixture.payloads(fixed, CheckpointCommitted.class), l -> !l.isEmpty());
        assertThat(fixture.commands(fixed)).isEmpty();
    }

    @Test
    void theCommitFaultHaltsBetweenWriteAndCommitAndTheRedeliveredSnapshotIsCommittedFromTheStore()
            throws Exception {
        String runId = newRunId("halt");
        fixture.submit(runId, policy(10, false, 3, 0), Instant.now());
        String arm = "/api/faults/halt-before-commit";
        given().contentType(ContentType.JSON).body("{\"runId\": \"" + runId + "\"}").post(arm).then()
                .statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").post(arm).then().statusCode(401);
        given().header("Authorization", "Bearer test-token-for-the-checkpointer").contentType(ContentType.JSON)
                .body("{\"run\": 1}").post(arm).then().statusCode(400).body("error", containsString("unknown field"));

        // Stands in for Runtime.halt: the record fails as a crash would leave it (bytes stored, no commit, offset
        // not committed) and is processed again; the real halt is exercised by the end-to-end tests.
        List<Integer> halts = new CopyOnWriteArrayList<>();
        List<Boolean> storedAtHalt = new CopyOnWriteArrayList<>();
        byte[] content = randomBytes(50_000);
        String sha = sha256(content);
        Path object = LedgerFixture.STORE.resolve("objects").resolve(sha.substring(0, 2)).resolve(sha);
        commitFault.haltWith(status -> {
            halts.add(status);
            storedAtHalt.add(Files.exists(object));
            throw new java.io.IOException("simulated halt " + status);
        });
        try {
            given().header("Authorization", "Bearer test-token-for-the-checkpointer").contentType(ContentType.JSON)
                    .body("{\"runId\": \"" + runId + "\"}").post(arm).then().statusCode(202)
                    .body("armed", equalTo(true)).body("runId", equalTo(runId));
            fixture.append(snapshot(runId, 10, stage(runId, 10, content), sha, content.length, 1_000_000,
                    Instant.now()));

            CheckpointCommitted committed = await().atMost(WAIT)
                    .until(() -> fixture.payloads(runId, CheckpointCommitted.class), l -> !l.isEmpty()).get(0);
            assertThat(halts).containsExactly(CommitFault.HALT_STATUS);
            assertThat(storedAtHalt).containsExactly(true);
            assertThat(committed.getSha256()).isEqualTo(sha);
            assertThat(Files.readAllBytes(Path.of(URI.create(committed.getUri())))).isEqualTo(content);
            assertThat(fixture.payloads(runId, CheckpointRejected.class)).isEmpty();
            assertThat(commitFault.armed()).isEmpty();
        } finally {
            commitFault.haltWith(status -> Runtime.getRuntime().halt(status));
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
