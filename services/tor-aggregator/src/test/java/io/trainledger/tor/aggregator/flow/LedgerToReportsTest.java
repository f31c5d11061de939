package io.trainledger.tor.aggregator.flow;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterHeaders;
import io.trainledger.testing.TrainLedgerStackResource;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.audit.TorAudit;
import io.trainledger.tor.aggregator.replay.LedgerReplay;
import io.trainledger.tor.aggregator.replay.LiveReports;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The deployed aggregator (Quarkus, Kafka Streams exactly_once_v2) on the real embedded broker and registry: ledgers
 * from libs/tor-core's simulator go in through the registry serde, reports come out on {@code trainledger.tor}, over
 * REST and SSE, and must equal the pure fold exactly; poison records are dead-lettered while processing continues;
 * the replay under a fresh application id reproduces every live report.
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LedgerToReportsTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @Inject
    KafkaStreams streams;

    @Inject
    MeterRegistry meters;

    @TestHTTPResource("/runs")
    URL runsUrl;

    private RegistrySettings registry;
    private LedgerClients clients;

    @BeforeEach
    void connect() {
        registry = RegistrySettings.of(registryUrl);
        clients = new LedgerClients(bootstrap, registry);
        await().atMost(WAIT).until(() -> streams.state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void disconnect() {
        clients.close();
    }

    static List<RunEvent> simulated(String runId, long seed) {
        return FailureSimulator.builder().seed(seed).runId(runId).steps(300).idealStepSeconds(0.5)
                .checkpointEverySteps(40).checkpointStall(Distribution.constant(0.4))
                .commitLag(Distribution.constant(0.3))
                .failure(FailureType.CRASH, 50, Distribution.constant(5), Distribution.constant(3))
                .failure(FailureType.NAN_LOSS, 90, Distribution.constant(2), Distribution.constant(1))
                .straggler(120, 2.0, Distribution.constant(10), Distribution.constant(2))
                .duplicates(0.05).reordering(0.05, 1.0)
                .build().events();
    }

    @Test
    @Order(1)
    void simulatedLedgersGiveTheReportsOfThePureFold() throws Exception {
        Map<String, List<RunEvent>> runs = new LinkedHashMap<>();
        for (long seed = 1; seed <= 4; seed++) {
            String runId = "sim-" + seed + "-" + UUID.randomUUID();
            runs.put(runId, simulated(runId, seed));
        }
        // Interleave the runs' events, as concurrent trainers would (each run's own order is kept).
        List<RunEvent> interleaved = new ArrayList<>();
        List<List<RunEvent>> queues = new ArrayList<>(runs.values().stream().map(ArrayList::new).toList());
        SplittableRandom random = new SplittableRandom(7);
        while (queues.stream().anyMatch(q -> !q.isEmpty())) {
            List<RunEvent> q = queues.get(random.nextInt(queues.size()));
            if (!q.isEmpty()) {
                interleaved.add(q.remove(0));
            }
        }
        clients.append(interleaved);

        for (Map.Entry<String, List<RunEvent>> run : runs.entrySet()) {
            String runId = run.getKey();
            List<RunEvent> log = run.getValue();
            TorReport expected = TorLedger.fold(log).report();
            assertThat(expected.getStatus()).isEqualTo(RunStatus.COMPLETED);
            assertThat(expected.getFailures()).as("the simulated run has failures").isNotEmpty();
            // trainledger.tor: the latest report is the fold of the whole ledger, field by field, bit for bit.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                TorReport live = LiveReports.latest(bootstrap, registry, Duration.ofSeconds(30)).get(runId);
                assertThat(live).as("latest report of %s", runId).isNotNull();
                assertThat(TorAudit.compare(expected, live)).isEmpty();
            });
            // REST (the interactive query of the local store) answers the same report.
            JsonNode rest = json(given().get("/runs/" + runId).then().statusCode(200).extract().asString());
            assertThat(rest.get("tor").doubleValue()).isEqualTo(expected.getTor());
            assertThat(rest.get("tObsNanos").longValue()).isEqualTo(expected.getTObsNanos());
            assertThat(rest.get("eventsFolded").longValue()).isEqualTo(expected.getEventsFolded());
            // The audit (plain consumer + pure fold) agrees: the whole ledger matches.
            LedgerAudit.Outcome audit = new LedgerAudit(bootstrap, registry).audit(runId, Duration.ofSeconds(30));
            assertThat(audit.result().differences()).isEmpty();
            assertThat(audit.result().matchesWholeLedger()).isTrue();
            assertThat(audit.undecodable()).isZero();
            // Per-run metrics.
            assertThat(meters.get("trainledger.tor.ratio").tag("run", runId).gauge().value())
                    .isEqualTo(expected.getTor());
        }
    }

    @Test
    @Order(2)
    void poisonRecordsAreDeadLetteredAndProcessingContinues() throws Exception {
        String poisoned = "poison-" + UUID.randomUUID();
        byte[] valid = Topics.RUN_EVENTS.valueSerde(registry).serializer()
                .serialize(Topics.RUN_EVENTS.name(), simulated(poisoned, 9).get(0));
        byte[] random = new byte[64];
        new SplittableRandom(3).nextBytes(random);
        random[0] = 7; // not the Confluent magic byte
        byte[] unknownSchema = ByteBuffer.allocate(1 + 4 + 16).put((byte) 0).putInt(987_654_321)
                .put(Arrays16.FILLER).array();
        byte[] truncated = java.util.Arrays.copyOf(valid, valid.length / 2);
        double dlqBefore = meters.get("trainledger.dlq.records").functionCounter().count();

        clients.appendRaw(poisoned, random);
        clients.appendRaw(poisoned, unknownSchema);
        clients.appendRaw(poisoned, truncated);
        // ... and a healthy run after them, on every partition: the aggregator must keep processing.
        List<String> healthy = new ArrayList<>();
        Map<String, Long> healthyFolded = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            String runId = "after-poison-" + i + "-" + UUID.randomUUID();
            healthy.add(runId);
            List<RunEvent> prefix = simulated(runId, 20 + i).subList(0, 60);
            clients.append(prefix);
            healthyFolded.put(runId, TorLedger.fold(prefix).report().getEventsFolded());
        }

        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(clients.read(Topics.DLQ.name(), poisoned)).hasSize(3));
        List<ConsumerRecord<byte[], byte[]>> letters = clients.read(Topics.DLQ.name(), poisoned);
        assertThat(letters).extracting(ConsumerRecord::value).containsExactly(random, unknownSchema, truncated);
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            assertThat(header(letter, DeadLetterHeaders.REASON)).isNotBlank();
            assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(Topics.RUN_EVENTS.name());
            assertThat(header(letter, DeadLetterHeaders.CONSUMER)).isEqualTo("trainledger-tor-aggregator");
        }
        for (String runId : healthy) {
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                    given().get("/runs/" + runId).jsonPath().getLong("eventsFolded"))
                    .isEqualTo(healthyFolded.get(runId)));
        }
        given().get("/runs/" + poisoned).then().statusCode(404);
        assertThat(meters.get("trainledger.dlq.records").functionCounter().count()).isGreaterThanOrEqualTo(dlqBefore + 3);
        given().get("/q/metrics").then().statusCode(200);
        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics.lines().filter(l -> l.startsWith("trainledger_dlq_records_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(3)
    void serverSentEventsDeliverTheRunsReports() throws Exception {
        String runId = "sse-" + UUID.randomUUID();
        List<RunEvent> log = simulated(runId, 31);
        clients.append(log.subList(0, 1)); // RunSubmitted: the run exists
        await().atMost(WAIT).ignoreExceptions().until(() -> given().get("/runs/" + runId).statusCode() == 200);

        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(runsUrl + "/" + runId + "/reports"))
                .header("Accept", "text/event-stream").build();
        CompletableFuture<HttpResponse<Stream<String>>> response =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAccept(r -> r.body().forEach(lines::add));
        // The current report comes first.
        await().atMost(WAIT).until(() -> dataLines(lines).size() >= 1);

        clients.append(log);
        TorReport expected = TorLedger.fold(log).report();
        await().atMost(WAIT).until(() -> dataLines(lines).stream()
                .anyMatch(d -> d.contains("\"eventsFolded\":" + expected.getEventsFolded() + ",")));
        assertThat(lines).contains("event:report");
        assertThat(dataLines(lines).size()).isGreaterThanOrEqualTo(3);
        response.cancel(true);
    }

    @Test
    @Order(4)
    void theReplayRebuildsEveryLiveReport() throws Exception {
        // Every run this JVM produced is finished; wait until the live topic holds their final reports.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> !streamsBusy());
        LedgerReplay.Outcome outcome = new LedgerReplay(bootstrap, registry).replay(WAIT);
        assertThat(outcome.differences()).isEmpty();
        assertThat(outcome.identical()).isTrue();
        assertThat(outcome.replayed()).hasSizeGreaterThanOrEqualTo(8);
        assertThat(outcome.skippedRecords()).isGreaterThanOrEqualTo(3);
        assertThat(outcome.replayed().keySet()).isEqualTo(outcome.live().keySet());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.listTopics().names().get()).noneMatch(t -> t.startsWith(outcome.applicationId()));
        }
    }

    /** True while some run's latest live report trails its REST (store) report. */
    private boolean streamsBusy() throws Exception {
        Map<String, TorReport> live = LiveReports.latest(bootstrap, registry, Duration.ofSeconds(30));
        for (Map.Entry<String, TorReport> e : live.entrySet()) {
            long folded = given().get("/runs/" + e.getKey()).jsonPath().getLong("eventsFolded");
            if (folded != e.getValue().getEventsFolded()) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode json(String body) throws Exception {
        return new ObjectMapper().readTree(body);
    }

    private static List<String> dataLines(List<String> lines) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.startsWith("data:")).toList();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static final class Arrays16 {
        static final byte[] FILLER = "sixteen bytes!!!".getBytes(StandardCharsets.UTF_8);
    }
}
