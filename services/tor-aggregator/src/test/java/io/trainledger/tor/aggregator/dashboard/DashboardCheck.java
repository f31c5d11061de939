package io.trainledger.tor.aggregator.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the aggregator's dashboard in headless Chromium (Debian's {@code /usr/bin/chromium} through
 * {@code /usr/bin/chromedriver}, Selenium WebDriver) and reads what the charts hold through Chart.js itself
 * ({@code Chart.getChart(canvasId).data}), not just that a canvas exists. Reusable against any aggregator: the
 * end-to-end module runs it against a real run.
 *
 * <pre>{@code
 * try (DashboardCheck browser = DashboardCheck.start()) {
 *     DashboardCheck.RunPage page = browser.openRun("http://127.0.0.1:8085", runId, Duration.ofSeconds(60));
 *     assertThat(page.points("loss-chart")).isPositive();
 *     browser.screenshot(Path.of("target/dashboard.png"));
 * }
 * }</pre>
 * Paths can be overridden with {@code -Dtrainledger.chromium=...} and {@code -Dtrainledger.chromedriver=...}.
 */
public final class DashboardCheck implements AutoCloseable {
    /** The run page's charts (canvas ids). */
    public static final List<String> RUN_CHARTS = List.of("tor-chart", "loss-chart", "timeline-chart",
            "badput-chart", "failure-chart", "model-chart", "projection-chart");

    // Counts the non-null points of every dataset of a chart; -1 when the canvas has no Chart.js chart.
    private static final String COUNT_POINTS = """
            const out = {};
            for (const id of arguments[0]) {
              const c = window.Chart ? Chart.getChart(id) : undefined;
              out[id] = c === undefined ? -1 : c.data.datasets.reduce((n, ds) => n + ds.data.filter(v =>
                  v !== null && v !== undefined && (typeof v !== 'object' || (v.y !== null && v.y !== undefined))
              ).length, 0);
            }
            return out;""";

    private final ChromeDriver driver;
    private final Path userDataDir;

    private DashboardCheck(ChromeDriver driver, Path userDataDir) {
        this.driver = driver;
        this.userDataDir = userDataDir;
    }

    /** Starts headless Chromium with a fresh profile directory. */
    public static DashboardCheck start() {
        Path profile;
        try {
            profile = Files.createTempDirectory("trainledger-chromium");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("trainledger.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1800", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("trainledger.chromedriver", "/usr/bin/chromedriver"))
                        .toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1800));
        return new DashboardCheck(driver, profile);
    }

    /**
     * What one run's page showed.
     *
     * @param status       the status figure of the summary card (the report's status symbol)
     * @param headerStatus the run status of the page header's badge (its {@code data-status}: the report's status)
     * @param connection   the live-update state shown in the header ({@code live}, {@code reconnecting}, ...)
     */
    public record RunPage(String runId, Map<String, Long> points, Double shownTor, String status, String headerStatus,
                          String connection) {
        /** Non-null points across the datasets of chart {@code canvasId} (-1: no chart there). */
        public long points(String canvasId) {
            return points.getOrDefault(canvasId, -1L);
        }
    }

    /**
     * Opens {@code baseUrl/run.html?run=runId} and waits until the TOR, loss, timeline, badput and model charts
     * hold data; then returns every chart's point count, the latest cumulative TOR the TOR chart shows and the
     * status shown.
     */
    public RunPage openRun(String baseUrl, String runId, Duration timeout) {
        driver.get(baseUrl + "/run.html?run=" + java.net.URLEncoder.encode(runId, java.nio.charset.StandardCharsets.UTF_8));
        new WebDriverWait(driver, timeout).pollingEvery(Duration.ofMillis(250)).until(d -> {
            Map<String, Long> points = points(RUN_CHARTS);
            return points.get("tor-chart") >= 2 && points.get("loss-chart") > 0 && points.get("timeline-chart") > 0
                    && points.get("badput-chart") > 0 && points.get("model-chart") > 0;
        });
        Object tor = js().executeScript("""
                const d = Chart.getChart('tor-chart').data.datasets[0].data;
                return d.length ? d[d.length - 1].y : null;""");
        String status = (String) js().executeScript("return document.getElementById('status').textContent;");
        String headerStatus = (String) js().executeScript(
                "return document.getElementById('run-status').dataset.status;");
        String connection = (String) js().executeScript("return document.getElementById('live').dataset.state;");
        return new RunPage(runId, points(RUN_CHARTS), tor == null ? null : ((Number) tor).doubleValue(), status,
                headerStatus, connection);
    }

    /**
     * Waits until the header shows the run status {@code status} (e.g. {@code COMPLETED}) and the live updates as
     * connected, and returns the header's text.
     */
    public String awaitHeader(String status, Duration timeout) {
        String script = "const b = document.getElementById('run-status'), l = document.getElementById('live');"
                + "return [b.dataset.status, l.dataset.state, document.querySelector('header').innerText];";
        new WebDriverWait(driver, timeout).pollingEvery(Duration.ofMillis(250)).until(d -> {
            List<?> h = (List<?>) js().executeScript(script);
            return status.equals(h.get(0)) && "live".equals(h.get(1));
        });
        return (String) ((List<?>) js().executeScript(script)).get(2);
    }

    /** Resizes the browser window (CSS pixels), e.g. to check the page at a laptop's 1280x800. */
    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Opens the runs list and returns the run ids its table shows, once it shows at least one. */
    @SuppressWarnings("unchecked")
    public List<String> openRunsList(String baseUrl, Duration timeout) {
        driver.get(baseUrl + "/");
        String script = "return Array.from(document.querySelectorAll('#runs tbody tr td:first-child'))"
                + ".map(td => td.textContent);";
        new WebDriverWait(driver, timeout).until(d -> !((List<Object>) js().executeScript(script)).isEmpty());
        return (List<String>) js().executeScript(script);
    }

    /** Evaluates a script in the page (for checks this class does not have). */
    public Object evaluate(String script, Object... args) {
        return js().executeScript(script, args);
    }

    /** Saves a PNG of the current page. */
    public Path screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            return Files.copy(png, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> points(List<String> ids) {
        Map<String, Object> raw = (Map<String, Object>) js().executeScript(COUNT_POINTS, ids);
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        return out;
    }

    private JavascriptExecutor js() {
        return driver;
    }

    @Override
    public void close() {
        driver.quit();
        try (Stream<Path> paths = Files.walk(userDataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile: best effort
        }
    }
}
