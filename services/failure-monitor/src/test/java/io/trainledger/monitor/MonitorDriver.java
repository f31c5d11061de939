package io.trainledger.monitor;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology in a TopologyTestDriver, with plain Avro serdes and a clock: the trainer's event times
 * and the driver's wall clock advance together, so punctuation-driven timeouts fire as they would live.
 */
final class MonitorDriver implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final EventSource TRAINER = RunEvents.source("trainer", "trainer-test");
    static final EventSource CHECKPOINTER = RunEvents.source("checkpointer", "checkpointer-test");

    final TopologyTestDriver driver;
    final TestInputTopic<String, Heartbeat> heartbeats;
    final TestInputTopic<String, RunEvent> ledgerIn;
    final TestOutputTopic<String, RunEvent> ledgerOut;
    final TestOutputTopic<String, RunCommand> commands;
    final List<RunEvent> appended = new ArrayList<>();
    final List<RunCommand> commandsSent = new ArrayList<>();
    Instant now = T0;
    private long sequence;

    /** The monitor's view of the broker, switched by tests: {@link #brokerDown()} / {@link #brokerUp()}. */
    final class SwitchableBroker implements BrokerHealth {
        volatile Outage outage;

        @Override
        public Outage outage() {
            return outage;
        }
    }

    final SwitchableBroker broker = new SwitchableBroker();

    MonitorDriver(DetectionSettings settings) throws Exception {
        PlainAvroSerde<Heartbeat> hb = new PlainAvroSerde<>(Heartbeat.class);
        PlainAvroSerde<RunEvent> ev = new PlainAvroSerde<>(RunEvent.class);
        PlainAvroSerde<RunCommand> cmd = new PlainAvroSerde<>(RunCommand.class);
        StreamsBuilder builder = FailureMonitorTopology.build(new StreamsBuilder(),
                new FailureMonitorTopology.MonitorSerdes(hb, ev, cmd), settings, VerdictListener.NONE, broker);
        Path stateDir = Files.createTempDirectory("failure-monitor-ttd");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "trainledger-failure-monitor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, T0);
        heartbeats = driver.createInputTopic(Topics.HEARTBEATS.name(), Serdes.String().serializer(), hb.serializer());
        ledgerIn = driver.createInputTopic(Topics.RUN_EVENTS.name(), Serdes.String().serializer(), ev.serializer());
        ledgerOut = driver.createOutputTopic(Topics.RUN_EVENTS.name(), Serdes.String().deserializer(),
                ev.deserializer());
        commands = driver.createOutputTopic(Topics.COMMANDS.name(), Serdes.String().deserializer(),
                cmd.deserializer());
    }

    /** Moves event time and the monitor's wall clock forward together (punctuations fire on the way). */
    void advance(Duration d) {
        // in small steps, as a live wall clock would pass
        long remaining = d.toMillis();
        while (remaining > 0) {
            long step = Math.min(remaining, 100);
            now = now.plusMillis(step);
            driver.advanceWallClockTime(Duration.ofMillis(step));
            remaining -= step;
        }
        drain();
    }

    /** The monitor loses the broker now (the outage is confirmed at once). */
    void brokerDown() {
        broker.outage = new BrokerHealth.Outage(now.toEpochMilli(), Long.MAX_VALUE);
    }

    /** The monitor reaches the broker again now. */
    void brokerUp() {
        broker.outage = new BrokerHealth.Outage(broker.outage.startWallMs(), now.toEpochMilli());
    }

    void event(String runId, int attempt, SpecificRecord payload) {
        ledgerIn.pipeInput(runId, RunEvents.at(runId, attempt, TRAINER, now, payload), now);
        drain();
    }

    void pipe(String runId, RunEvent event) {
        ledgerIn.pipeInput(runId, event, now);
        drain();
    }

    void heartbeat(String runId, int attempt, long step, Instant lastStepTime) {
        Heartbeat beat = Heartbeat.newBuilder().setRunId(runId).setAttempt(attempt).setStep(step)
                .setLastStepTime(lastStepTime).setSequence(sequence++).setEventTime(now).setSource(TRAINER).build();
        heartbeats.pipeInput(runId, beat, now);
        drain();
    }

    void attemptStarted(String runId, int attempt, Long restoredFrom) {
        event(runId, attempt, AttemptStarted.newBuilder().setAttempt(attempt).setRestoredFromStep(restoredFrom)
                .setInitNanos(1_000_000_000L).setRestoreNanos(restoredFrom == null ? 0 : 200_000_000L)
                .setDevice("cpu").build());
    }

    /** Steps {@code from..to} of {@code stepTime} each, heartbeats every 500 ms. Returns the last step's end. */
    Instant steps(String runId, int attempt, long from, long to, Duration stepTime, double loss) {
        Instant lastBeat = now;
        for (long s = from; s <= to; s++) {
            advance(stepTime);
            event(runId, attempt, step(s, stepTime, loss));
            if (!now.isBefore(lastBeat.plusMillis(500))) {
                heartbeat(runId, attempt, s, now);
                lastBeat = now;
            }
        }
        return now;
    }

    /** Heartbeats every 500 ms for {@code d} without step progress (a hang), reporting {@code step}. */
    void beatWithoutProgress(String runId, int attempt, long step, Instant lastStepTime, Duration d) {
        for (long t = 0; t < d.toMillis(); t += 500) {
            advance(Duration.ofMillis(500));
            heartbeat(runId, attempt, step, lastStepTime);
        }
    }

    static StepCompleted step(long step, Duration stepTime, double loss) {
        return StepCompleted.newBuilder().setStep(step).setEpoch(0).setStepNanos(stepTime.toNanos()).setLoss(loss)
                .setCeLoss(loss).setAccuracy(0.5).setSamples(32).setLr(0.002).build();
    }

    void drain() {
        appended.addAll(ledgerOut.readValuesToList());
        commandsSent.addAll(commands.readValuesToList());
    }

    List<FailureDetected> verdicts(String runId) {
        drain();
        return appended.stream().filter(e -> e.getRunId().equals(runId))
                .filter(e -> e.getPayload() instanceof FailureDetected).map(e -> (FailureDetected) e.getPayload())
                .toList();
    }

    List<RunEvent> verdictEvents(String runId) {
        drain();
        return appended.stream().filter(e -> e.getRunId().equals(runId))
                .filter(e -> e.getPayload() instanceof FailureDetected).toList();
    }

    List<RecoveryCompleted> recoveries(String runId) {
        drain();
        return appended.stream().filter(e -> e.getRunId().equals(runId))
                .filter(e -> e.getPayload() instanceof RecoveryCompleted)
                .map(e -> (RecoveryCompleted) e.getPayload()).toList();
    }

    List<RunCommand> commands(String runId) {
        drain();
        return commandsSent.stream().filter(c -> c.getRunId().equals(runId)).toList();
    }

    @Override
    public void close() {
        driver.close();
    }
}
