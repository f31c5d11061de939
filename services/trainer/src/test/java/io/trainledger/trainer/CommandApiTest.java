package io.trainledger.trainer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command REST API on the real embedded broker and registry, through the trainer that serves it. */
@QuarkusTest
@QuarkusTestResource(StackResource.class)
class CommandApiTest {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(180);

    @ConfigProperty(name = "trainledger.api.token")
    String token;

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

    private static String config(String runId, long steps, int interval) {
        return """
                {"runId": "%s", "method": "COOP", "dataset": "hue-shift", "shots": 2, "seed": 7, "steps": %d,
                 "batchSize": 16, "contextInit": "a photo of a", "device": "cpu",
                 "checkpoint": {"intervalSteps": %d}}""".formatted(runId, steps, interval);
    }

    @Test
    void mutatingEndpointsNeedTheBearerToken() {
        String body = config("api-auth-" + UUID.randomUUID(), 10, 5);
        given().contentType(ContentType.JSON).body(body).post("/api/runs")
                .then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer"))
                .contentType(ContentType.JSON).body("message", containsString("missing bearer token"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token + "x").body(body)
                .post("/api/runs").then().statusCode(401).body("message", containsString("invalid bearer token"));
        given().header("Authorization", "Basic " + token).post("/api/runs/some-run/cancel").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"type\": \"HANG\"}").post("/api/runs/some-run/faults")
                .then().statusCode(401);
        // Read-only endpoints need no token.
        given().get("/runs").then().statusCode(200);
    }

    @Test
    void anInvalidSubmissionIsA400NamingTheFieldAndPublishesNothing() {
        String runId = "api-bad-" + UUID.randomUUID();
        String negative = config(runId, 10, 5).replace("\"seed\": 7", "\"seed\": 7, \"lambdaPpl\": -1");
        ExtractableResponse<Response> r = authorized().body(negative).post("/api/runs").then().statusCode(400)
                .contentType(ContentType.JSON).extract();
        assertThat(r.jsonPath().getString("errors[0].field")).isEqualTo("lambdaPpl");
        assertThat(r.jsonPath().getString("errors[0].reason")).contains(">= 0");
        assertThat(r.jsonPath().getString("message")).contains("lambdaPpl");

        String unknownAndWrongType = config(runId, 10, 5).replace("\"seed\": 7", "\"seed\": 7, \"lr\": 0.1")
                .replace("\"steps\": 10", "\"steps\": \"ten\"");
        List<String> fields = authorized().body(unknownAndWrongType).post("/api/runs").then().statusCode(400)
                .extract().jsonPath().getList("errors.field");
        assertThat(fields).containsExactlyInAnyOrder("lr", "steps");

        authorized().body(config(runId, 10, 5).replace("\"method\": \"COOP\"", "\"method\": \"SGD\""))
                .post("/api/runs").then().statusCode(400).body("errors[0].field", equalTo("method"));
        authorized().body(config(runId, 10, 5).replace("\"contextInit\": \"a photo of a\"", "\"topK\": 100000"))
                .post("/api/runs").then().statusCode(400).body("errors[0].field", equalTo("topK"));
        authorized().body("{not json").post("/api/runs").then().statusCode(400)
                .body("message", containsString("not valid JSON"));
        authorized().body(config("../etc", 10, 5)).post("/api/runs").then().statusCode(400)
                .body("errors[0].field", equalTo("runId"));

        // Every 400 came back before anything was sent: the command log has nothing for this run.
        assertThat(stack.commands(runId)).isEmpty();
    }

    @Test
    void aValidSubmissionIsAcceptedAfterKafkaAcksItAndTheRunCompletes() {
        String runId = "api-run-" + UUID.randomUUID();
        authorized().body(config(runId, 12, 5)).post("/api/runs").then().statusCode(202)
                .body("runId", equalTo(runId)).body("status", equalTo("submitted"));
        assertThat(stack.commands(runId)).hasSize(1);

        List<RunEvent> ledger = awaitEvent(runId, e -> e.getPayload() instanceof RunCompleted);
        assertThat(ledger.get(0).getPayload()).isInstanceOf(RunSubmitted.class);
        RunSubmitted submitted = (RunSubmitted) ledger.get(0).getPayload();
        assertThat(submitted.getConfig().getSteps()).isEqualTo(12);
        assertThat(submitted.getConfig().getShots()).isEqualTo(2);
        assertThat(submitted.getConfig().getLearningRate()).isEqualTo(0.002); // the Avro default
        assertThat(submitted.getSubmittedBy()).startsWith("trainer-api/");
        assertThat(payloads(ledger, StepCompleted.class)).hasSize(12);
        // Snapshots at the interval and of the final state.
        assertThat(payloads(ledger, CheckpointSnapshotted.class)).extracting(CheckpointSnapshotted::getStep)
                .containsExactly(5L, 10L, 12L);

        String generated = authorized().body(config(runId, 12, 5).replace("\"runId\": \"" + runId + "\", ", ""))
                .post("/api/runs").then().statusCode(202).extract().jsonPath().getString("runId");
        assertThat(generated).isNotEqualTo(runId).startsWith("run-");
        authorized().body("{\"reason\": \"not needed\"}").post("/api/runs/" + generated + "/cancel")
                .then().statusCode(202);
    }

    @Test
    void cancelStopsARunAndFaultsAreForbiddenWhenChaosIsDisabled() {
        String runId = "api-cancel-" + UUID.randomUUID();
        authorized().body(config(runId, 1_000_000, 50)).post("/api/runs").then().statusCode(202);
        awaitEvent(runId, e -> e.getPayload() instanceof AttemptStarted);

        authorized().body("{\"type\": \"HANG\"}").post("/api/runs/" + runId + "/faults").then().statusCode(403)
                .body("message", containsString("disabled"));
        authorized().body("{\"reason\": 5}").post("/api/runs/" + runId + "/cancel").then().statusCode(400)
                .body("errors[0].field", equalTo("reason"));

        authorized().body("{\"reason\": \"enough\"}").post("/api/runs/" + runId + "/cancel").then().statusCode(202)
                .body("status", equalTo("cancel requested"));
        List<RunEvent> ledger = awaitEvent(runId, e -> e.getPayload() instanceof RunCancelled);
        assertThat(payloads(ledger, RunCancelled.class)).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("enough"));
        assertThat(stack.commands(runId)).hasSize(2); // the submission and the cancel; not the refused ones
    }

    private io.restassured.specification.RequestSpecification authorized() {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    private List<RunEvent> awaitEvent(String runId, Predicate<RunEvent> which) {
        return await().atMost(RUN_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> stack.ledger(runId), l -> l.stream().anyMatch(which));
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> payloads(List<RunEvent> ledger, Class<T> type) {
        return ledger.stream().map(RunEvent::getPayload).filter(type::isInstance).map(p -> (T) p).toList();
    }
}
