package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.commands.RestartRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import io.trainledger.schemas.dlq.DeadLetterHeaders;
import io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler;
import io.trainledger.testing.TrainLedgerStackResource;
import io.trainledger.tor.core.detection.DetectionReport;
import io.trainledger.tor.core.detection.DetectionScore;
import io.trainledger.tor.core.detection.TypeScore;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitor as a Quarkus application on the real embedded broker and registry (the test JVM's shared stack):
 * records go in through the registry serdes, verdicts and commands are read back from the topics. The test profile
 * sets a 2 s crash timeout. Run ids are unique per test.
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureMonitorIT {
    private static final EventSource TRAINER = RunEvents.source("trainer", "it");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @Inject
    KafkaStreams streams;

    @Inject
    MeterRegistry meters;

    @Inject
    MonitorConfig config;

    private Serializer<Heartbeat> heartbeatSerializer;
    private Serializer<RunEvent> ledgerSerializer;
    private KafkaProducer<String, Heartbeat> heartbeats;
    private KafkaProducer<String, RunEvent> ledger;
    private TopicReader<RunEvent> verdicts;
    private TopicReader<RunCommand> commands;

    @BeforeEach
    void connect() {
        RegistrySettings registry = RegistrySettings.of(registryUrl);
        heartbeatSerializer = Topics.HEARTBEATS.valueSerde(registry).serializer();
        ledgerSerializer = Topics.RUN_EVENTS.valueSerde(registry).serializer();
        heartbeats = new KafkaProducer<>(producerProps(), new StringSerializer(), heartbeatSerializer);
        ledger = new KafkaProducer<>(producerProps(), new StringSerializer(), ledgerSerializer);
        verdicts = new TopicReader<>(bootstrap, Topics.RUN_EVENTS.name(),
                Topics.RUN_EVENTS.valueSerde(registry).deserializer());
        commands = new TopicReader<>(bootstrap, Topics.COMMANDS.name(),
                Topics.COMMANDS.valueSerde(registry).deserializer());
        await().atMost(Duration.ofSeconds(90)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
    }

    @AfterEach
    void disconnect() {
        heartbeats.close();
        ledger.close();
        verdicts.close();
        commands.close();
    }

    @Test
    void heartbeatsThenSilenceIsExactlyOneCrash() throws Exception {
        String run = "it-crash-" + UUID.randomUUID();
        // a poison record first: dead-lettered, and the monitor carries on
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerProps(), new StringSerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), run,
                    "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        }
        warmUp(run);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(run, 1, start, AttemptStarted.newBuilder().setAttempt(1).setInitNanos(1_000_000).setRestoreNanos(0)
                .setDevice("cpu").build());
        Instant last = start;
        for (int i = 1; i <= 10; i++) {
            last = start.plusMillis(20L * i);
            send(run, 1, last, MonitorDriver.step(i, Duration.ofMillis(20), 1.0));
            beat(run, 1, i, last, last);
        }
        heartbeats.flush();
        ledger.flush();

        await().atMost(Duration.ofSeconds(60)).until(() -> verdictsOf(run).size() >= 1);
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> verdictsOf(run).size() == 1);
        FailureDetected f = verdictsOf(run).get(0);
        assertThat(f.getType()).isEqualTo(FailureType.CRASH);
        assertThat(f.getFailedAttempt()).isEqualTo(1);
        assertThat(f.getStep()).isEqualTo(10);
        assertThat(f.getLastProgressTime()).isEqualTo(last);
        assertThat(Duration.between(last, f.getDetectedTime())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(commandsOf(run)).as("CRASH restarts are the supervisor's").isEmpty();

        assertThat(meters.get("trainledger.monitor.dead.lettered").gauge().value()).isGreaterThanOrEqualTo(1);
        assertThat(meters.get("trainledger.monitor.failures.detected").tag("type", "CRASH").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    /**
     * Random bytes, an unknown schema id and a truncated Avro body on each input topic: all six go to trainledger.dlq
     * with a reason and their source, are counted, and the run's records after them are still judged.
     */
    @Test
    void poisonRecordsOnBothInputsAreDeadLetteredWithReasonsAndProcessingGoesOn() throws Exception {
        String run = "it-poison-" + UUID.randomUUID();
        warmUp(run);
        double deadBefore = meters.get("trainledger.monitor.dead.lettered").gauge().value();
        byte[] random = new byte[48];
        new java.util.Random(7).nextBytes(random);
        random[0] = 0x7f; // not the 0 magic byte of the Confluent framing
        // magic 0 and a 4-byte content id no registry has handed out, then an Avro-looking body
        byte[] unknownId = {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4, 6, 8};
        byte[] heartbeat = heartbeatSerializer.serialize(Topics.HEARTBEATS.name(), Heartbeat.newBuilder()
                .setRunId(run).setAttempt(1).setStep(3).setSequence(0).setEventTime(Instant.now())
                .setSource(TRAINER).build());
        byte[] event = ledgerSerializer.serialize(Topics.RUN_EVENTS.name(), RunEvents.of(run, 1, TRAINER,
                MonitorDriver.step(3, Duration.ofMillis(20), 1.0)));
        try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(producerProps(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (String topic : List.of(Topics.HEARTBEATS.name(), Topics.RUN_EVENTS.name())) {
                byte[] valid = topic.equals(Topics.HEARTBEATS.name()) ? heartbeat : event;
                byte[] truncated = java.util.Arrays.copyOf(valid, 5 + (valid.length - 5) / 2);
                raw.send(new ProducerRecord<>(topic, run, random)).get();
                raw.send(new ProducerRecord<>(topic, run, unknownId)).get();
                raw.send(new ProducerRecord<>(topic, run, truncated)).get();
            }
        }
        // then the run as usual: a NaN step is still detected from the ledger, after the poison on both topics
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(run, 1, start, AttemptStarted.newBuilder().setAttempt(1).setInitNanos(1_000_000).setRestoreNanos(0)
                .setDevice("cpu").build());
        Instant last = start;
        for (int i = 1; i <= 5; i++) {
            last = start.plusMillis(20L * i);
            send(run, 1, last, MonitorDriver.step(i, Duration.ofMillis(20), 0.5));
            beat(run, 1, i, last, last);
        }
        send(run, 1, last.plusMillis(20), MonitorDriver.step(6, Duration.ofMillis(20), Double.NaN));
        ledger.flush();
        heartbeats.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> !verdictsOf(run).isEmpty());
        assertThat(verdictsOf(run).get(0).getType()).isEqualTo(FailureType.NAN_LOSS);

        List<ConsumerRecord<String, byte[]>> dead = new java.util.ArrayList<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> dlq = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = dlq.partitionsFor(Topics.DLQ.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            dlq.assign(partitions);
            dlq.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                dlq.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (run.equals(r.key())) {
                        dead.add(r);
                    }
                });
                return dead.size() >= 6;
            });
        }
        assertThat(dead).hasSize(6);
        for (ConsumerRecord<String, byte[]> r : dead) {
            assertThat(header(r, DeadLetterHeaders.REASON)).as("reason").isNotBlank();
            assertThat(header(r, DeadLetterHeaders.EXCEPTION)).as("exception").isNotBlank();
            assertThat(header(r, DeadLetterHeaders.SOURCE_OFFSET)).as("source offset").isNotBlank();
        }
        assertThat(dead).extracting(r -> header(r, DeadLetterHeaders.SOURCE_TOPIC)).containsExactlyInAnyOrder(
                Topics.HEARTBEATS.name(), Topics.HEARTBEATS.name(), Topics.HEARTBEATS.name(),
                Topics.RUN_EVENTS.name(), Topics.RUN_EVENTS.name(), Topics.RUN_EVENTS.name());
        assertThat(dead).extracting(ConsumerRecord::value).as("the original bytes, unchanged")
                .anySatisfy(v -> assertThat(v).isEqualTo(random))
                .anySatisfy(v -> assertThat(v).isEqualTo(unknownId));
        assertThat(meters.get("trainledger.monitor.dead.lettered").gauge().value())
                .isGreaterThanOrEqualTo(deadBefore + 6);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aNanStepIsDetectedAndTheRunRestarted() throws Exception {
        String run = "it-nan-" + UUID.randomUUID();
        warmUp(run);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(run, 1, start, AttemptStarted.newBuilder().setAttempt(1).setInitNanos(1_000_000).setRestoreNanos(0)
                .setDevice("cpu").build());
        Instant last = start;
        for (int i = 1; i <= 5; i++) {
            last = start.plusMillis(20L * i);
            send(run, 1, last, MonitorDriver.step(i, Duration.ofMillis(20), 0.5));
            beat(run, 1, i, last, last);
        }
        send(run, 1, last.plusMillis(20), MonitorDriver.step(6, Duration.ofMillis(20), Double.NaN));
        ledger.flush();
        heartbeats.flush();

        await().atMost(Duration.ofSeconds(60)).until(() -> !commandsOf(run).isEmpty());
        // the run then falls silent (the trainer is restarting): still one verdict, no crash on top
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> verdictsOf(run).size() == 1);
        FailureDetected f = verdictsOf(run).get(0);
        assertThat(f.getType()).isEqualTo(FailureType.NAN_LOSS);
        assertThat(f.getStep()).isEqualTo(5);
        assertThat(f.getLastProgressTime()).isEqualTo(last);
        RunCommand command = commandsOf(run).get(0);
        assertThat(commandsOf(run)).hasSize(1);
        assertThat(command.getPayload()).isInstanceOfSatisfying(RestartRun.class, r -> {
            assertThat(r.getCause()).isEqualTo(FailureType.NAN_LOSS);
            assertThat(r.getFailedAttempt()).isEqualTo(1);
        });
    }

    @Test
    void theScoreOfARunMatchesItsVerdictToTheInjectedFault() throws Exception {
        String run = "it-score-" + UUID.randomUUID();
        warmUp(run);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(run, 1, start, AttemptStarted.newBuilder().setAttempt(1).setInitNanos(1_000_000).setRestoreNanos(0)
                .setDevice("cpu").build());
        Instant last = start;
        for (int i = 1; i <= 5; i++) {
            last = start.plusMillis(20L * i);
            send(run, 1, last, MonitorDriver.step(i, Duration.ofMillis(20), 1.0));
            beat(run, 1, i, last, last);
        }
        send(run, 1, last, FaultInjected.newBuilder().setType(FailureType.CRASH).setPlannedAt(last).setStep(5)
                .setParameters(Map.of()).build());
        ledger.flush();
        heartbeats.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> verdictsOf(run).size() == 1);

        DetectionReport report = DetectionScore.defaults()
                .score(DetectionScoreMain.readLedger(bootstrap, RegistrySettings.of(registryUrl), run));
        TypeScore crash = report.of(FailureType.CRASH);
        assertThat(report.runs()).isEqualTo(1);
        assertThat(crash.precision()).isEqualTo(1.0);
        assertThat(crash.recall()).isEqualTo(1.0);
        assertThat(crash.latency(0.95)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    /**
     * Stops the application's Kafka Streams instance and starts the same topology under the same application id with
     * an empty state directory (so the run store comes back from its changelog): a verdict made before the restart
     * is not repeated, and a run that fell silent while the monitor was down is judged once after it. Runs last: the
     * managed instance stays closed.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRestartedMonitorNeitherRepeatsNorMissesAVerdict() throws Exception {
        String before = "it-restart-before-" + UUID.randomUUID();
        String whileDown = "it-restart-down-" + UUID.randomUUID();
        warmUp(before);
        silentAfterSteps(before);
        await().atMost(Duration.ofSeconds(60)).until(() -> verdictsOf(before).size() == 1);

        streams.close(Duration.ofSeconds(60));
        silentAfterSteps(whileDown);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "trainledger-failure-monitor");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put("deserialization.exception.handler",
                DeadLetteringDeserializationHandler.class.getName());
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("failure-monitor-restart").toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        Topology topology = FailureMonitorTopology.build(new StreamsBuilder(),
                FailureMonitorTopology.MonitorSerdes.of(RegistrySettings.of(registryUrl)), config.toSettings(),
                VerdictListener.NONE).build();
        try (KafkaStreams restarted = new KafkaStreams(topology, props)) {
            restarted.start();
            await().atMost(Duration.ofSeconds(90)).until(() -> restarted.state() == KafkaStreams.State.RUNNING);
            await().atMost(Duration.ofSeconds(60)).until(() -> verdictsOf(whileDown).size() == 1);
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                    .until(() -> verdictsOf(before).size() == 1 && verdictsOf(whileDown).size() == 1);
            FailureDetected missedWhileDown = verdictsOf(whileDown).get(0);
            assertThat(missedWhileDown.getType()).isEqualTo(FailureType.CRASH);
            assertThat(missedWhileDown.getStep()).as("judged on the whole backlog, not its first records")
                    .isEqualTo(5);
            restarted.close(Duration.ofSeconds(60));
        }
    }

    /** AttemptStarted, five steps with heartbeats, then nothing. */
    private void silentAfterSteps(String run) throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(run, 1, start, AttemptStarted.newBuilder().setAttempt(1).setInitNanos(1_000_000).setRestoreNanos(0)
                .setDevice("cpu").build());
        for (int i = 1; i <= 5; i++) {
            Instant t = start.plusMillis(20L * i);
            send(run, 1, t, MonitorDriver.step(i, Duration.ofMillis(20), 1.0));
            beat(run, 1, i, t, t);
        }
        ledger.flush();
        heartbeats.flush();
    }

    /**
     * Registers (or looks up) the schemas before the run's timeline starts, so that the records of the timeline go
     * out within milliseconds of their event times rather than after a registry round trip.
     */
    private void warmUp(String run) {
        Heartbeat hb = Heartbeat.newBuilder().setRunId(run).setAttempt(0).setStep(0).setSequence(0)
                .setEventTime(Instant.now()).setSource(TRAINER).build();
        heartbeatSerializer.serialize(Topics.HEARTBEATS.name(), hb);
        ledgerSerializer.serialize(Topics.RUN_EVENTS.name(), RunEvents.of(run, 0, TRAINER,
                MonitorDriver.step(0, Duration.ZERO, 0)));
    }

    private List<FailureDetected> verdictsOf(String run) {
        return verdicts.poll().stream().filter(e -> e.getRunId().equals(run))
                .filter(e -> e.getPayload() instanceof FailureDetected).map(e -> (FailureDetected) e.getPayload())
                .toList();
    }

    private List<RunCommand> commandsOf(String run) {
        return commands.poll().stream().filter(c -> c.getRunId().equals(run)).toList();
    }

    private void send(String run, int attempt, Instant t, org.apache.avro.specific.SpecificRecord payload)
            throws Exception {
        ledger.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), run, RunEvents.at(run, attempt, TRAINER, t,
                payload)));
    }

    private void beat(String run, int attempt, long step, Instant lastStepTime, Instant t) throws Exception {
        Heartbeat hb = Heartbeat.newBuilder().setRunId(run).setAttempt(attempt).setStep(step)
                .setLastStepTime(lastStepTime).setSequence(step).setEventTime(t).setSource(TRAINER).build();
        heartbeats.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), run, hb));
    }

    private Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }
}
