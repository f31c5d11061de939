package io.trainledger.tor.aggregator.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.testing.TrainLedgerStackResource;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in headless Chromium, against the aggregator fed with a simulated ledger through the real broker:
 * the charts hold the run's data (read from Chart.js), the TOR shown is the fold's, a screenshot lands in target/.
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
class DashboardBrowserTest {
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @TestHTTPResource("/")
    URL root;

    @Test
    void theRunPageChartsHoldTheRunsData() throws Exception {
        String runId = "dashboard-" + UUID.randomUUID();
        List<RunEvent> log = FailureSimulator.builder().seed(5).runId(runId).steps(400).idealStepSeconds(0.5)
                .checkpointEverySteps(40).checkpointStall(Distribution.constant(0.4))
                .commitLag(Distribution.constant(0.3))
                .failure(FailureType.CRASH, 60, Distribution.constant(5), Distribution.constant(3))
                .failure(FailureType.HANG, 90, Distribution.constant(8), Distribution.constant(2))
                .straggler(150, 2.0, Distribution.constant(10), Distribution.constant(2))
                .build().events();
        TorReport expected = produceAndAwait(runId, log);

        String base = root.toString().replaceAll("/$", "");
        try (DashboardCheck browser = DashboardCheck.start()) {
            assertThat(browser.openRunsList(base, Duration.ofSeconds(60))).contains(runId);
            browser.screenshot(Path.of("target", "dashboard-runs.png"));
            DashboardCheck.RunPage page = browser.openRun(base, runId, Duration.ofSeconds(60));
            Path shot = browser.screenshot(Path.of("target", "dashboard-run.png"));

            assertThat(page.points("tor-chart")).isGreaterThanOrEqualTo(2);
            assertThat(page.points("loss-chart")).isGreaterThan(100);
            assertThat(page.points("badput-chart")).isEqualTo(10); // T_opt + 9 buckets
            assertThat(page.points("failure-chart")).isPositive();
            assertThat(page.points("model-chart")).isGreaterThanOrEqualTo(2);
            // The timeline carries every committed checkpoint and failure of the run as markers.
            long checkpoints = log.stream().filter(e -> e.getPayload() instanceof io.trainledger.events.CheckpointCommitted)
                    .map(e -> ((io.trainledger.events.CheckpointCommitted) e.getPayload()).getStep()).distinct().count();
            Number markers = (Number) browser.evaluate("return Chart.getChart('timeline-chart').data.datasets"
                    + ".find(d => d.label === 'checkpoint committed').data.length;");
            assertThat(markers.longValue()).isGreaterThanOrEqualTo(Math.min(checkpoints, 1));
            Number failures = (Number) browser.evaluate("return Chart.getChart('timeline-chart').data.datasets"
                    + ".find(d => d.label === 'failure detected').data.length;");
            assertThat(failures.longValue()).isEqualTo(expected.getFailures().stream().mapToLong(f -> f.getCount()).sum());
            // The TOR the chart ends on is the fold's, exactly; the status too.
            assertThat(page.shownTor()).isEqualTo(expected.getTor());
            assertThat(page.status()).isEqualTo(expected.getStatus().name());
            assertThat(Files.size(shot)).isGreaterThan(10_000);

            // The header says how the run ended, and, apart from it, that the live updates are connected.
            assertThat(expected.getStatus().name()).isEqualTo("COMPLETED");
            assertThat(page.headerStatus()).isEqualTo("COMPLETED");
            assertThat(browser.awaitHeader("COMPLETED", Duration.ofSeconds(30)))
                    .contains("run completed").contains("updates: live").doesNotContain("connecting");
            // The timeline's markers are drawn in their own colour, not Chart.js' faint default.
            List<?> faultColours = (List<?>) browser.evaluate("const d = Chart.getChart('timeline-chart').data.datasets"
                    + ".find(d => d.label === 'fault injected'); return [d.borderColor, d.backgroundColor, d.data.length];");
            assertThat(faultColours.get(0)).isEqualTo("#9b59b6");
            assertThat(faultColours.get(1)).isEqualTo("#9b59b6");
            // Every chart has a title on each of its axes.
            Boolean titled = (Boolean) browser.evaluate("return " + DashboardCheck.RUN_CHARTS.stream()
                    .map(id -> "Object.values(Chart.getChart('" + id + "').options.scales).every(s => s.title && "
                            + "s.title.display && s.title.text.length > 0)")
                    .reduce((a, b) -> a + " && " + b).orElseThrow() + ";");
            assertThat(titled).isTrue();
            // The model card gives the first-order form's failure load sum(lambda L), computed in the page; it must be
            // the one tor-core used: first order = tau / (tau + delta) x (1 - load) when not clamped.
            var model = expected.getModel();
            double load = 1 - model.getPredictedTorFirstOrder() * (model.getTauSeconds() + model.getDeltaSeconds())
                    / model.getTauSeconds();
            assertThat((String) browser.evaluate("return document.getElementById('model-note').textContent;"))
                    .isEqualTo("First order: failure load Σλ·L = "
                            + String.format(java.util.Locale.ROOT, "%.3f", load) + ".");

            browser.resize(1280, 800);
            browser.screenshot(Path.of("target", "dashboard-run-1280x800.png"));
        }
    }

    /**
     * Failures more frequent than they are cheap (as in the chaos demo): the first-order form's failure load is >= 1,
     * tor-core clamps its prediction to 0, and the page says so instead of drawing an empty bar.
     */
    @Test
    void aFirstOrderPredictionOutsideItsRangeIsExplained() throws Exception {
        String runId = "dashboard-dense-" + UUID.randomUUID();
        List<RunEvent> log = FailureSimulator.builder().seed(11).runId(runId).steps(200).idealStepSeconds(0.5)
                .checkpointEverySteps(10).checkpointStall(Distribution.constant(0.2))
                .commitLag(Distribution.constant(0.2))
                .failure(FailureType.CRASH, 6, Distribution.constant(5), Distribution.constant(4))
                .build().events();
        TorReport expected = produceAndAwait(runId, log);
        assertThat(expected.getModel().getPredictedTorFirstOrder()).as("the simulated run is in the clamped regime")
                .isZero();

        String base = root.toString().replaceAll("/$", "");
        try (DashboardCheck browser = DashboardCheck.start()) {
            browser.openRun(base, runId, Duration.ofSeconds(60));
            assertThat((String) browser.evaluate("return document.getElementById('model-note').textContent;"))
                    .startsWith("First order predicts 0.00 %: its failure load Σλ·L = ")
                    .contains("is ≥ 1, outside the range of that form");
            browser.screenshot(Path.of("target", "dashboard-run-dense-failures.png"));
        }
    }

    /** Produces a simulated ledger and waits until the aggregator folded all of it; returns the pure fold's report. */
    private TorReport produceAndAwait(String runId, List<RunEvent> log) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, RunEvent> producer = new KafkaProducer<>(p, new StringSerializer(),
                Topics.RUN_EVENTS.valueSerde(RegistrySettings.of(registryUrl)).serializer())) {
            for (RunEvent e : log) {
                producer.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e));
            }
        }
        TorReport expected = TorLedger.fold(log).report();
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> new ObjectMapper()
                .readTree(given().get("/runs/" + runId).asString()).get("eventsFolded").longValue()
                == expected.getEventsFolded());
        return expected;
    }
}
