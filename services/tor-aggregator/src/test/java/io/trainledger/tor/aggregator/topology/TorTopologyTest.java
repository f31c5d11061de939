package io.trainledger.tor.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.audit.TorAudit;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology ({@link TorTopology#build}) under TopologyTestDriver, with registry-free Avro serdes. */
class TorTopologyTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long S = 1_000_000L;

    @TempDir
    Path tempDir;
    private Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, RunEvent> ledger;
    private TestOutputTopic<String, TorReport> tor;
    private final List<TorReport> sinkSeen = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        // The driver commits, flushes RocksDB and fsyncs a checkpoint after every record: on a busy disk that is
        // tens of ms per record, on tmpfs almost nothing. (The topology is the same either way.)
        Path shm = Path.of("/dev/shm");
        stateDir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "tor-topology-test") : tempDir;
        open(new TopologySettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(1), 6, 8));
    }

    private void open(TopologySettings settings) {
        open(settings, TorTopology.StateKind.DURABLE);
    }

    private void open(TopologySettings settings, TorTopology.StateKind state) {
        Serde<RunEvent> events = PlainAvroSerde.of(RunEvent.class);
        Serde<TorReport> reports = PlainAvroSerde.of(TorReport.class);
        StreamsBuilder builder = new StreamsBuilder();
        TorTopology.build(builder, events, reports, settings, (report, ts) -> sinkSeen.add(report), Topics.TOR.name(),
                state);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tor-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(0));
        ledger = driver.createInputTopic(Topics.RUN_EVENTS.name(), Serdes.String().serializer(), events.serializer());
        tor = driver.createOutputTopic(Topics.TOR.name(), Serdes.String().deserializer(), reports.deserializer());
    }

    @AfterEach
    void stop() throws IOException {
        driver.close();
        if (!stateDir.equals(tempDir) && Files.exists(stateDir)) {
            try (var paths = Files.walk(stateDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private long recordTime;

    private void pipe(RunEvent e) {
        ledger.pipeInput(new TestRecord<>(e.getRunId(), e, Instant.ofEpochMilli(++recordTime)));
    }

    @Test
    void theLastReportOfAFinishedRunEqualsThePureFold() {
        lastReportEqualsThePureFold();
    }

    @Test
    void theReplaysEphemeralStoresFoldTheSame() {
        driver.close();
        open(new TopologySettings(Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(1), 6, 8),
                TorTopology.StateKind.EPHEMERAL);
        lastReportEqualsThePureFold();
        assertThat(TimelineStore.read(driver.getKeyValueStore(TorTopology.TIMELINE_STORE), "run-a").tor())
                .isNotEmpty();
    }

    private void lastReportEqualsThePureFold() {
        List<RunEvent> log = FailureSimulator.builder().seed(11).runId("run-a").steps(400).idealStepSeconds(0.5)
                .checkpointEverySteps(40).checkpointStall(Distribution.constant(0.4))
                .commitLag(Distribution.constant(0.3))
                .failure(FailureType.CRASH, 60, Distribution.constant(5), Distribution.constant(3))
                .failure(FailureType.NAN_LOSS, 120, Distribution.constant(2), Distribution.constant(1))
                .straggler(150, 2.0, Distribution.constant(10), Distribution.constant(2))
                .duplicates(0.05).reordering(0.05, 1.0)
                .build().events();
        log.forEach(this::pipe);

        List<TorReport> out = tor.readValuesToList();
        TorReport expected = TorLedger.fold(log).report();
        assertThat(out).isNotEmpty();
        TorReport last = out.get(out.size() - 1);
        assertThat(TorAudit.compare(expected, last)).isEmpty();
        assertThat(last.getStatus()).isEqualTo(RunStatus.COMPLETED);
        // Throttled: far fewer reports than events, but every report is the fold of a prefix of the ledger.
        assertThat(out.size()).isLessThan(log.size() / 4);
        for (TorReport r : out) {
            assertThat(TorAudit.audit("run-a", log, r).differences()).isEmpty();
        }
        assertThat(sinkSeen).hasSameSizeAs(out);
        // The store holds the same fold.
        TorLedger stored = driver.<String, TorLedger>getKeyValueStore(TorTopology.LEDGER_STORE).get("run-a");
        assertThat(stored.toBytes()).isEqualTo(TorLedger.fold(log).toBytes());
    }

    @Test
    void stepsAreThrottledByEventTimeAndMilestonesAlwaysEmit() {
        RunEventFactory f = new RunEventFactory("run-b", 2);
        pipe(f.submitted(T0, 1.0, 100, 10));                  // first report of the run: emitted
        pipe(f.attemptStarted(T0 + 2 * S, 1, null, S, 0));    // milestone: emitted
        for (int i = 1; i <= 25; i++) {                        // steps 1 s apart; min interval 10 s
            pipe(f.step(T0 + (2 + i) * S, 1, i, S));
        }
        List<TorReport> out = tor.readValuesToList();
        // submitted, attempt, then one per 10 s of event time: steps 10 and 20.
        assertThat(out).extracting(TorReport::getPreservedSteps).containsExactly(0L, 0L, 10L, 20L);

        pipe(f.failureDetected(T0 + 40 * S, 1, FailureType.HANG, T0 + 27 * S, 25));  // milestone
        assertThat(tor.readValuesToList()).extracting(TorReport::getStatus).containsExactly(RunStatus.RECOVERING);

        // A duplicate changes nothing and emits nothing.
        pipe(f.step(T0 + 27 * S, 1, 25, S));
        assertThat(tor.isEmpty()).isTrue();
    }

    @Test
    void aBacklogIsThrottledByWallClockTooButMilestonesAreNot() {
        driver.close();
        open(new TopologySettings(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(10), 6, 8));
        RunEventFactory f = new RunEventFactory("run-h", 7);
        pipe(f.submitted(T0, 1.0, 100, 10));                  // first report of the run: emitted
        pipe(f.attemptStarted(T0 + S, 1, null, 0, 0));       // milestone: emitted
        for (int i = 1; i <= 10; i++) {                       // 1 s of event time apart, but no wall time passes
            pipe(f.step(T0 + (1 + i) * S, 1, i, S));
        }
        assertThat(tor.readValuesToList()).extracting(TorReport::getPreservedSteps).containsExactly(0L, 0L);

        driver.advanceWallClockTime(Duration.ofMillis(100));  // the wall-clock interval has passed (no flush yet)
        assertThat(tor.isEmpty()).isTrue();
        pipe(f.step(T0 + 12 * S, 1, 11, S));
        assertThat(tor.readValuesToList()).extracting(TorReport::getPreservedSteps).containsExactly(11L);

        pipe(f.step(T0 + 13 * S, 1, 12, S));                 // within 100 ms of wall time again: held back
        assertThat(tor.isEmpty()).isTrue();
        pipe(f.failureDetected(T0 + 20 * S, 1, FailureType.HANG, T0 + 13 * S, 12));  // milestone: at once
        assertThat(tor.readValuesToList()).extracting(TorReport::getStatus).containsExactly(RunStatus.RECOVERING);
    }

    @Test
    void theTorCurveIsSampledOnEventTimeWhateverReportsWereEmitted() {
        driver.close();
        // Wall-clock throttle of an hour: only milestones are emitted, yet the curve has a point per second.
        open(new TopologySettings(Duration.ofSeconds(1), Duration.ofHours(1), Duration.ofHours(1), 1000, 512));
        List<RunEvent> log = FailureSimulator.builder().seed(5).runId("run-g").steps(200).idealStepSeconds(0.5)
                .checkpointEverySteps(25).checkpointStall(Distribution.constant(0.4))
                .commitLag(Distribution.constant(0.3))
                .failure(FailureType.CRASH, 40, Distribution.constant(5), Distribution.constant(3))
                .duplicates(0.05).build().events();
        log.forEach(this::pipe);

        // The curve as specified, from the folds of the ledger's prefixes: a point when the first second of event
        // time since the last point has passed, or the run has ended; the same instant keeps the newest.
        TorLedger prefix = TorLedger.create();
        List<RunTimeline.TorPoint> expected = new ArrayList<>();
        long last = 0;
        for (RunEvent e : log) {
            if (!prefix.apply(e)) {
                continue;
            }
            TorReport r = prefix.report();
            long t = TorLedger.micros(r.getAsOfEventTime());
            boolean ended = r.getStatus() == RunStatus.COMPLETED;
            if (expected.isEmpty() || ended || t - last >= S) {
                RunTimeline.TorPoint p = new RunTimeline.TorPoint(t, r.getTor(), r.getWindows().get(0).getTor(),
                        r.getWindows().get(0).getWindowSeconds());
                if (!expected.isEmpty() && expected.get(expected.size() - 1).eventTimeMicros() == t) {
                    expected.set(expected.size() - 1, p);
                } else {
                    expected.add(p);
                    last = t;
                }
            }
        }
        RunTimeline tl = TimelineStore.read(driver.getKeyValueStore(TorTopology.TIMELINE_STORE), "run-g");
        assertThat(expected).hasSizeGreaterThan(90);
        assertThat(tl.tor()).isEqualTo(expected);
        List<TorReport> emitted = tor.readValuesToList();
        assertThat(emitted.size()).isLessThan(expected.size() / 4);
        assertThat(TorAudit.compare(TorLedger.fold(log).report(), emitted.get(emitted.size() - 1))).isEmpty();
    }

    @Test
    void wallClockPunctuationFlushesAHeldBackReport() {
        RunEventFactory f = new RunEventFactory("run-c", 3);
        pipe(f.submitted(T0, 1.0, 100, 10));
        pipe(f.attemptStarted(T0 + S, 1, null, 0, 0));
        pipe(f.step(T0 + 2 * S, 1, 1, S));
        pipe(f.step(T0 + 3 * S, 1, 2, S));
        assertThat(tor.readValuesToList()).hasSize(2);     // the two steps are held back

        driver.advanceWallClockTime(Duration.ofSeconds(1));
        List<TorReport> flushed = tor.readValuesToList();
        assertThat(flushed).hasSize(1);
        assertThat(flushed.get(0).getPreservedSteps()).isEqualTo(2);

        driver.advanceWallClockTime(Duration.ofSeconds(5));  // nothing pending any more
        assertThat(tor.isEmpty()).isTrue();
    }

    @Test
    void theEndOfARunIsReportedAtOnce() {
        RunEventFactory f = new RunEventFactory("run-d", 4);
        pipe(f.submitted(T0, 1.0, 3, 10));
        pipe(f.attemptStarted(T0 + S, 1, null, 0, 0));
        pipe(f.step(T0 + 2 * S, 1, 1, S));
        pipe(f.step(T0 + 3 * S, 1, 2, S));
        pipe(f.step(T0 + 4 * S, 1, 3, S));
        pipe(f.completed(T0 + 4 * S, 1, 3));
        List<TorReport> out = tor.readValuesToList();
        TorReport last = out.get(out.size() - 1);
        assertThat(last.getStatus()).isEqualTo(RunStatus.COMPLETED);
        assertThat(last.getPreservedSteps()).isEqualTo(3);
        assertThat(last.getTor()).isEqualTo(3.0 / 4.0);
    }

    @Test
    void theTimelineKeepsMilestonesAndABoundedStepCurve() {
        RunEventFactory f = new RunEventFactory("run-e", 5);
        pipe(f.submitted(T0, 1.0, 100, 10));
        pipe(f.attemptStarted(T0 + S, 1, null, 0, 0));
        for (int i = 1; i <= 20; i++) {
            pipe(f.step(T0 + (1 + i) * S, 1, i, S, i == 20 ? Double.NaN : 1.0 / i));
            if (i % 5 == 0) {
                pipe(f.snapshotted(T0 + (1 + i) * S + 1, 1, i, 1000));
            }
        }
        pipe(f.failureDetected(T0 + 30 * S, 1, FailureType.NAN_LOSS, T0 + 20 * S, 19));
        RunTimeline tl = TimelineStore.read(driver.getKeyValueStore(TorTopology.TIMELINE_STORE), "run-e");

        // 7 milestones (submitted, attempt, 4 snapshots, failure) with room for 6: the oldest is dropped.
        assertThat(tl.events()).hasSize(6);
        assertThat(tl.eventsDropped()).isEqualTo(1);
        assertThat(tl.events().get(0).kind()).isEqualTo("ATTEMPT_STARTED");
        assertThat(tl.events().get(5).kind()).isEqualTo("FAILURE_DETECTED");
        assertThat(tl.events().get(5).failureType()).isEqualTo("NAN_LOSS");
        // 20 steps into 8 slots: stride 4 keeps 4, 8, ..., 20 (5 points), the NaN step included.
        assertThat(tl.stepStride()).isEqualTo(4);
        assertThat(tl.steps()).extracting(RunTimeline.StepPoint::step).containsExactly(4L, 8L, 12L, 16L, 20L);
        assertThat(tl.steps().get(4).loss()).isNaN();
        // The curve's points survive the store's encoding (NaN included).
        assertThat(tl.steps().get(0)).isEqualTo(new RunTimeline.StepPoint(4, 1, T0 + 5 * S, 0.25, S, 0.5,
                0.25, 0, 0, 0));
        // Only the run's own records: another run's timeline is separate, and an unknown run has none.
        assertThat(TimelineStore.read(driver.getKeyValueStore(TorTopology.TIMELINE_STORE), "run-")).isNull();
    }

    @Test
    void tombstonesAndKeylessRecordsAreIgnored() {
        ledger.pipeInput(new TestRecord<>("run-f", null, Instant.ofEpochMilli(1)));
        RunEventFactory f = new RunEventFactory("run-f", 6);
        RunEvent e = f.submitted(T0, 1.0, 10, 10);
        ledger.pipeInput(new TestRecord<>(null, e, Instant.ofEpochMilli(2)));
        assertThat(tor.isEmpty()).isTrue();
        assertThat(driver.<String, TorLedger>getKeyValueStore(TorTopology.LEDGER_STORE).get("run-f")).isNull();
    }
}
