package io.trainledger.tor.aggregator.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged aggregators ({@code target/quarkus-app/quarkus-run.jar}, separate processes with their own HTTP port
 * and state directory, the same application id) over a 6-partition ledger on a private embedded stack: a query for
 * any run answers correctly from either instance (the owner answers, the other redirects to it), and the runs list
 * of either instance has every run.
 */
class TwoInstancesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedStack stack;
    private static final List<Process> instances = new ArrayList<>();
    private static final List<String> urls = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Path.of(System.getProperty("trainledger.stack.dir", "target/trainledger-stacks"))
                .resolve("two-instances-" + UUID.randomUUID().toString().substring(0, 8));
        stack = EmbeddedStack.start(StackSettings.defaults(dir).withPartitions(6));
        Path jar = Path.of(System.getProperty("trainledger.aggregator.jar", "target/quarkus-app/quarkus-run.jar"));
        assertThat(jar).as("package the application first (mvn verify does)").exists();
        for (int i = 0; i < 2; i++) {
            int port = freePort();
            Path logs = Files.createDirectories(dir.resolve("instance-" + i));
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-Dkafka.bootstrap.servers=" + stack.connection().bootstrapServers(),
                    "-Dtrainledger.registry.url=" + stack.connection().registryUrl(),
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    "-Dkafka-streams.state.dir=" + logs.resolve("state"),
                    "-Dkafka-streams.session.timeout.ms=6000",
                    "-jar", jar.toAbsolutePath().toString());
            pb.redirectErrorStream(true).redirectOutput(logs.resolve("aggregator.log").toFile());
            instances.add(pb.start());
            urls.add("http://127.0.0.1:" + port);
        }
    }

    @AfterAll
    static void stop() {
        instances.forEach(p -> {
            p.destroy();
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void eitherInstanceAnswersForEveryRun() throws Exception {
        Map<String, TorReport> expected = new LinkedHashMap<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.connection().bootstrapServers());
        try (KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(p, new StringSerializer(),
                Topics.RUN_EVENTS.valueSerde(stack.connection().registry()).serializer())) {
            for (int i = 0; i < 12; i++) {
                String runId = "two-" + i + "-" + UUID.randomUUID();
                List<RunEvent> log = FailureSimulator.builder().seed(100 + i).runId(runId).steps(120)
                        .idealStepSeconds(0.5).checkpointEverySteps(30)
                        .failure(FailureType.CRASH, 40, Distribution.constant(3), Distribution.constant(2))
                        .build().events();
                log.forEach(e -> producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e)));
                expected.put(runId, TorLedger.fold(log).report());
            }
        }
        HttpClient follow = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpClient noFollow = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        // Both instances up, in one group, each owning some of the 6 partitions.
        for (String url : urls) {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> get(noFollow, url + "/q/health/ready").statusCode() == 200);
        }
        for (Map.Entry<String, TorReport> run : expected.entrySet()) {
            for (String url : urls) {
                String runUrl = url + "/runs/" + run.getKey();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .untilAsserted(() -> {
                            HttpResponse<String> r = get(follow, runUrl);
                            assertThat(r.statusCode()).isEqualTo(200);
                            JsonNode report = JSON.readTree(r.body());
                            assertThat(report.get("eventsFolded").longValue())
                                    .isEqualTo(run.getValue().getEventsFolded());
                            assertThat(report.get("tor").doubleValue()).isEqualTo(run.getValue().getTor());
                        });
                // The timeline is routed the same way.
                assertThat(get(follow, runUrl + "/timeline").statusCode()).isEqualTo(200);
            }
            // Exactly one instance owns the run: it answers, the other redirects to it. Asked of both instances
            // together until they agree, since Kafka Streams may still move a task between them (a warm-up replica
            // that caught up is promoted by a probing rebalance) between two requests.
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                List<String> answers = new ArrayList<>();
                int owners = 0;
                String redirectedTo = null;
                String owner = null;
                for (String url : urls) {
                    HttpResponse<String> direct = get(noFollow, url + "/runs/" + run.getKey());
                    answers.add(url + " " + direct.statusCode()
                            + direct.headers().firstValue("Location").map(l -> " -> " + l).orElse(""));
                    if (direct.statusCode() == 200) {
                        owners++;
                        owner = url;
                    } else if (direct.statusCode() == 307) {
                        redirectedTo = direct.headers().firstValue("Location").orElse("");
                    }
                }
                assertThat(owners).as("run %s: %s", run.getKey(), answers).isEqualTo(1);
                assertThat(redirectedTo).as("run %s: %s", run.getKey(), answers).startsWith(owner + "/");
            });
        }
        for (String url : urls) {
            JsonNode list = JSON.readTree(get(noFollow, url + "/runs").body());
            List<String> listed = new ArrayList<>();
            list.get("runs").forEach(r -> listed.add(r.get("runId").asText()));
            assertThat(listed).containsAll(expected.keySet());
            assertThat(list.get("unreachable")).isEmpty();
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
