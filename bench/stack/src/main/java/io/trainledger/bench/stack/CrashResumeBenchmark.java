package io.trainledger.bench.stack;

import io.trainledger.commands.CancelRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SubmitRun;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.PerplexityAlignment;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Crash-to-resumed time of the packaged trainer: the trainer and checkpointer quarkus-apps run as processes against
 * an embedded stack; a PLPP run is submitted; after a committed checkpoint the trainer is killed with SIGKILL and
 * started again at once (what the supervisor does), with the same static group membership id. Measured from the
 * kill: the process is live again (JVM + Quarkus start), its attempt starts (partition assignment, ledger rebuild,
 * DJL/backbone init and restore, the last two from AttemptStarted), and the first step of the new attempt is on the
 * ledger (resumed).
 *
 * <p>Arguments: {@code [crashes=3] [trainerDataDir=bench/stack/target/bench-data] [repoRoot=.]}. Build the apps first:
 * {@code ./mvnw -B -q -pl services/trainer,services/checkpointer package -DskipTests}.
 */
public final class CrashResumeBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private CrashResumeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int crashes = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path data = Path.of(args.length > 1 ? args[1] : "bench/stack/target/bench-data").toAbsolutePath();
        Path repo = Path.of(args.length > 2 ? args[2] : ".").toAbsolutePath().normalize();
        Path trainerJar = repo.resolve("services/trainer/target/quarkus-app/quarkus-run.jar");
        Path checkpointerJar = repo.resolve("services/checkpointer/target/quarkus-app/quarkus-run.jar");
        for (Path jar : List.of(trainerJar, checkpointerJar)) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: ./mvnw -B -q -pl services/trainer,"
                        + "services/checkpointer package -DskipTests");
            }
        }
        Path work = Files.createTempDirectory("trainledger-bench-crash-");
        Path staging = work.resolve("staging");
        System.out.printf("Crash-to-resumed benchmark: %d kill -9 of the packaged trainer, %d cores, load average "
                + "%.1f, work dir %s%n", crashes, Runtime.getRuntime().availableProcessors(),
                TrainerOverheadBenchmark.load(), work);
        List<Process> started = new ArrayList<>();
        try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(work.resolve("stack")))) {
            String bootstrap = stack.connection().bootstrapServers();
            String registryUrl = stack.connection().registryUrl();
            RegistrySettings registry = stack.connection().registry();
            int cpPort = freePort();
            started.add(launch(List.of("java", "-Dkafka.bootstrap.servers=" + bootstrap,
                    "-Dtrainledger.registry.url=" + registryUrl,
                    "-Dtrainledger.checkpointer.store-dir=" + work.resolve("store"),
                    "-Dtrainledger.checkpointer.staging-dir=" + staging,
                    "-Dtrainledger.checkpointer.adaptive.enabled=false",
                    "-Dquarkus.http.port=" + cpPort, "-jar", checkpointerJar.toString()),
                    work.resolve("checkpointer.log")));
            int trPort = freePort();
            List<String> trainer = List.of("java", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                    "-Dai.djl.pytorch.num_interop_threads=1", "-Dkafka.bootstrap.servers=" + bootstrap,
                    "-Dtrainledger.registry.url=" + registryUrl, "-Dtrainledger.trainer.data-dir=" + data,
                    "-Dtrainledger.trainer.staging-dir=" + staging,
                    "-Dtrainledger.trainer.group-instance-id=bench-trainer-1",
                    "-Dquarkus.http.port=" + trPort, "-jar", trainerJar.toString());
            Process tr = launch(trainer, work.resolve("trainer-1.log"));
            started.add(tr);
            awaitHttp("http://127.0.0.1:" + cpPort + "/q/health/ready", Duration.ofMinutes(3));
            awaitHttp("http://127.0.0.1:" + trPort + "/q/health/ready", Duration.ofMinutes(15));

            String runId = "crash-bench-" + UUID.randomUUID();
            LedgerTail ledger = new LedgerTail(bootstrap, registry, runId);
            ledger.start();
            submit(bootstrap, registry, runId, new SubmitRun(RunConfig.newBuilder().setMethod(PromptMethod.PLPP)
                    .setDataset("hue-shift").setShots(16).setSeed(1).setSteps(1_000_000).setBatchSize(32)
                    .setContextLength(4).setContextInit("a photo of a").setDevice("cpu")
                    .setAlignment(PerplexityAlignment.NEXT_TOKEN)
                    .setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(20).setAdaptive(false).build())
                    .build(), null));
            List<long[]> rows = new ArrayList<>();
            for (int attempt = 1; attempt <= crashes; attempt++) {
                int a = attempt;
                CheckpointCommitted c = ledger.await(e -> e.getAttempt() == a
                        && e.getPayload() instanceof CheckpointCommitted, Duration.ofMinutes(10))
                        .map(e -> (CheckpointCommitted) e.getPayload()).orElseThrow();
                long past = c.getStep() + 5;
                ledger.await(e -> e.getAttempt() == a && e.getPayload() instanceof StepCompleted s
                        && s.getStep() >= past, Duration.ofMinutes(5)).orElseThrow();
                Instant kill = Instant.now();
                tr.destroyForcibly();
                tr.waitFor(30, TimeUnit.SECONDS);
                tr = launch(trainer, work.resolve("trainer-" + (attempt + 1) + ".log"));
                started.add(tr);
                Instant live = awaitHttp("http://127.0.0.1:" + trPort + "/q/health/live", Duration.ofMinutes(5));
                RunEvent startedEvent = ledger.await(e -> e.getPayload() instanceof AttemptStarted s
                        && s.getAttempt() == a + 1, Duration.ofMinutes(5)).orElseThrow();
                AttemptStarted s = (AttemptStarted) startedEvent.getPayload();
                RunEvent first = ledger.await(e -> e.getAttempt() == a + 1 && e.getPayload() instanceof StepCompleted,
                        Duration.ofMinutes(5)).orElseThrow();
                long total = millis(kill, first.getEventTime());
                long processStart = millis(kill, live);
                long attemptAt = millis(kill, startedEvent.getEventTime());
                long init = s.getInitNanos() / 1_000_000;
                long restore = s.getRestoreNanos() / 1_000_000;
                long assignment = attemptAt - processStart - init - restore;
                long firstStep = total - attemptAt;
                rows.add(new long[] {total, processStart, assignment, init, restore, firstStep});
                System.out.printf("  crash %d at step >= %d: resumed from step %s in %d ms = process start %d + "
                                + "assignment/ledger rebuild %d + DJL/backbone init %d + restore %d + first step %d%n",
                        attempt, past, s.getRestoredFromStep(), total, processStart, assignment, init, restore,
                        firstStep);
            }
            long[] median = new long[6];
            for (int k = 0; k < 6; k++) {
                int col = k;
                long[] values = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
                median[k] = values[values.length / 2];
            }
            System.out.printf("CRASH-TO-RESUMED (median of %d): %d ms = process start %d + assignment/ledger rebuild "
                            + "%d + DJL/backbone init %d + restore %d + first step %d (goal <= 10000 ms)%n", crashes,
                    median[0], median[1], median[2], median[3], median[4], median[5]);
            submit(bootstrap, registry, runId, new CancelRun("benchmark over"));
            ledger.close();
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            System.out.println("logs: " + work);
        }
    }

    private static long millis(Instant from, Instant to) {
        return Duration.between(from, to).toMillis();
    }

    private static Process launch(List<String> command, Path log) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Instant awaitHttp(String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return Instant.now();
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(url + " not UP within " + timeout);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void submit(String bootstrap, RegistrySettings registry, String runId, Object payload)
            throws Exception {
        try (KafkaProducer<String, RunCommand> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                Topics.COMMANDS.keySerde().serializer(), Topics.COMMANDS.valueSerde(registry).serializer())) {
            p.send(new ProducerRecord<>(Topics.COMMANDS.name(), runId, RunCommand.newBuilder()
                    .setCommandId(UUID.randomUUID()).setRunId(runId)
                    .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                    .setIssuedBy(RunEvents.source("bench", "crash-resume")).setPayload(payload).build()))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Follows one run's ledger events on a background thread. */
    private static final class LedgerTail extends Thread implements AutoCloseable {
        private final KafkaConsumer<String, RunEvent> consumer;
        private final String runId;
        private final List<RunEvent> events = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        LedgerTail(String bootstrap, RegistrySettings registry, String runId) {
            super("ledger-tail");
            setDaemon(true);
            this.runId = runId;
            this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), Topics.RUN_EVENTS.keySerde().deserializer(),
                    Topics.RUN_EVENTS.valueSerde(registry).deserializer());
            List<TopicPartition> tps = consumer.partitionsFor(Topics.RUN_EVENTS.name()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }

        @Override
        public void run() {
            while (running) {
                for (ConsumerRecord<String, RunEvent> r : consumer.poll(Duration.ofMillis(100))) {
                    if (runId.equals(r.key())) {
                        events.add(r.value());
                    }
                }
            }
            consumer.close();
        }

        java.util.Optional<RunEvent> await(Predicate<RunEvent> which, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (RunEvent e : events) {
                    if (which.test(e)) {
                        return java.util.Optional.of(e);
                    }
                }
                Thread.sleep(50);
            }
            return java.util.Optional.empty();
        }

        @Override
        public void close() {
            running = false;
        }
    }
}
