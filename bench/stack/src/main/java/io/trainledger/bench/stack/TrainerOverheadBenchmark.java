package io.trainledger.bench.stack;

import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.infra.local.EmbeddedStack;
import io.trainledger.infra.local.StackSettings;
import io.trainledger.plpp.PlppConfig;
import io.trainledger.plpp.PlppEnvironment;
import io.trainledger.plpp.PlppTrainer;
import io.trainledger.plpp.PromptMethod;
import io.trainledger.plpp.StepResult;
import io.trainledger.plpp.TaskData;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The trainer's overheads on a real PLPP run against a real embedded broker and registry, each against a baseline
 * measured in the same run:
 * <ol>
 *   <li>Event emission + heartbeats: two trainers of the same config and seed (identical arithmetic) step in
 *       alternating blocks, one bare (baseline), one doing what the trainer service does per step (a StepCompleted
 *       envelope sent asynchronously through the registry serde with the service's producer settings, and a
 *       heartbeat thread beating every 500 ms). Reported: the on-thread emission time per step and the wall-clock
 *       ratio of the blocks.</li>
 *   <li>Blocking snapshot stall: TrainingState to bytes, staged as the trainer does (temp file, fsync, atomic
 *       rename), sha256, CheckpointSnapshotted sent and acknowledged; as a fraction of the training time between
 *       two snapshots (interval x the baseline's mean step time).</li>
 * </ol>
 * Arguments: {@code [blockSteps=50] [blocks=6] [snapshots=20] [dataDir]} (dataDir holds the backbone cache; default
 * {@code bench/stack/target/bench-data}). Single libtorch thread, as the trainer runs.
 */
public final class TrainerOverheadBenchmark {
    private static final int[] INTERVALS = {10, 25, 50, 100};

    private TrainerOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        int blockSteps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        int snapshots = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path data = Path.of(args.length > 3 ? args[3] : "target/bench-data").toAbsolutePath();
        Files.createDirectories(data);
        System.out.printf("Trainer overhead benchmark: PLPP standard backbone, %d blocks x %d steps per arm, "
                        + "%d snapshots, %d cores, Java %s, load average %.1f%n", blocks, blockSteps, snapshots,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), load());

        Path stackDir = Files.createTempDirectory("trainledger-bench-overhead-");
        try (EmbeddedStack stack = EmbeddedStack.start(StackSettings.defaults(stackDir));
             PlppEnvironment env = PlppEnvironment.open(PlppEnvironment.Options.standard(data, "cpu"))) {
            RegistrySettings registry = stack.connection().registry();
            String bootstrap = stack.connection().bootstrapServers();
            PlppConfig config = PlppConfig.builder().method(PromptMethod.PLPP).dataset("hue-shift").shots(16).seed(1)
                    .steps(1_000_000).batchSize(32).contextLength(4).contextInit("a photo of a").device("cpu")
                    .build();
            try (KafkaProducer<String, RunEvent> events = new KafkaProducer<>(producerConfig(bootstrap, "ledger"),
                         Topics.RUN_EVENTS.keySerde().serializer(), Topics.RUN_EVENTS.valueSerde(registry).serializer());
                 KafkaProducer<String, Heartbeat> beats = new KafkaProducer<>(producerConfig(bootstrap, "beats"),
                         Topics.HEARTBEATS.keySerde().serializer(),
                         Topics.HEARTBEATS.valueSerde(registry).serializer());
                 TaskData task = env.task(config);
                 PlppTrainer bare = env.trainer(task, config);
                 PlppTrainer emitting = env.trainer(task, config);
                 PlppTrainer inline = env.trainer(task, config)) {
                String runId = "bench-" + UUID.randomUUID();
                Emitter emitter = new Emitter(runId, events, beats);
                // Warm-up: JIT, libtorch allocator, serde schema registration.
                for (int i = 0; i < 20; i++) {
                    bare.step();
                    emitter.emitAsync(emitting.step());
                    emitter.emitInline(inline.step());
                }
                events.flush();
                emission(blockSteps, blocks, bare, emitting, inline, emitter);
                emissionParts(emitter, registry, inline.step());
                emitter.close();
                stall(snapshots, bare, events, runId, data.resolve("staging"));
            }
        } finally {
            deleteTree(stackDir);
        }
    }

    private static void emission(int blockSteps, int blocks, PlppTrainer bare, PlppTrainer emitting,
                                 PlppTrainer inline, Emitter emitter) throws Exception {
        long[] total = new long[3];
        long[] onThread = new long[3];
        List<Double> asyncRatios = new ArrayList<>();
        List<Double> inlineRatios = new ArrayList<>();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        try {
            for (int b = 0; b < blocks; b++) {
                long[] t = new long[3];
                long[] e = new long[3];
                // Arms in a rotating order so that drifts in machine load do not favour one of them.
                for (int k = 0; k < 3; k++) {
                    int arm = (b + k) % 3;
                    PlppTrainer trainer = arm == 0 ? bare : arm == 1 ? emitting : inline;
                    var beating = arm == 0 ? null
                            : heartbeat.scheduleAtFixedRate(emitter::beat, 0, 500, TimeUnit.MILLISECONDS);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < blockSteps; i++) {
                        StepResult r = trainer.step();
                        if (arm != 0) {
                            long s0 = System.nanoTime();
                            if (arm == 1) {
                                emitter.emitAsync(r);
                            } else {
                                emitter.emitInline(r);
                            }
                            e[arm] += System.nanoTime() - s0;
                        }
                    }
                    t[arm] = System.nanoTime() - t0;
                    if (beating != null) {
                        beating.cancel(false);
                    }
                }
                for (int arm = 0; arm < 3; arm++) {
                    total[arm] += t[arm];
                    onThread[arm] += e[arm];
                }
                asyncRatios.add((double) t[1] / t[0]);
                inlineRatios.add((double) t[2] / t[0]);
                System.out.printf("  block %d: bare %.2f ms/step | emitter thread %.2f ms/step (on step thread %.3f) "
                                + "| send on step thread %.2f ms/step (on step thread %.3f)%n", b + 1,
                        t[0] / 1e6 / blockSteps, t[1] / 1e6 / blockSteps, e[1] / 1e6 / blockSteps,
                        t[2] / 1e6 / blockSteps, e[2] / 1e6 / blockSteps);
            }
        } finally {
            heartbeat.shutdownNow();
        }
        int steps = blockSteps * blocks;
        System.out.printf("EMISSION (what the trainer does now: envelope on the step thread, serialise + send on one "
                        + "emitter thread): %.2f vs baseline %.2f ms/step, wall-clock ratio %.4f (median of blocks "
                        + "%.4f); on the step thread %.4f ms/step = %.3f%% of the baseline step%n",
                total[1] / 1e6 / steps, total[0] / 1e6 / steps, (double) total[1] / total[0], median(asyncRatios),
                onThread[1] / 1e6 / steps, 100.0 * onThread[1] / total[0]);
        System.out.printf("EMISSION (previous design: serialise + send on the step thread): %.2f ms/step, wall-clock "
                        + "ratio %.4f (median of blocks %.4f); on the step thread %.4f ms/step = %.3f%%; %d heartbeats%n",
                total[2] / 1e6 / steps, (double) total[2] / total[0], median(inlineRatios),
                onThread[2] / 1e6 / steps, 100.0 * onThread[2] / total[0], emitter.beats);
        lastStepNanos = (double) total[0] / steps;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double lastStepNanos;

    /** Where the on-thread emission time goes, in a tight loop (no steps in between: JIT-warm, caches hot). */
    private static void emissionParts(Emitter emitter, RegistrySettings registry, StepResult r) {
        int n = 5000;
        var serializer = Topics.RUN_EVENTS.valueSerde(registry).serializer();
        long build = 0;
        long serialize = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            RunEvent e = emitter.envelope(r);
            long t1 = System.nanoTime();
            serializer.serialize(Topics.RUN_EVENTS.name(), e);
            long t2 = System.nanoTime();
            build += t1 - t0;
            serialize += t2 - t1;
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            emitter.emitInline(r);
        }
        long send = System.nanoTime() - t0;
        System.out.printf("EMISSION PARTS (tight loop of %d): envelope %.1f us, serialize %.1f us, whole async send "
                + "%.1f us per event%n", n, build / 1e3 / n, serialize / 1e3 / n, send / 1e3 / n);
    }

    private static void stall(int snapshots, PlppTrainer trainer, KafkaProducer<String, RunEvent> events,
                              String runId, Path staging) throws Exception {
        Files.createDirectories(staging);
        long[] stalls = new long[snapshots];
        long[] acks = new long[snapshots];
        long bytes = 0;
        for (int i = 0; i < snapshots; i++) {
            trainer.step();
            long t0 = System.nanoTime();
            byte[] state = trainer.snapshot().toBytes();
            Path file = stage(staging, runId, trainer.stepsDone(), state);
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(state));
            long staged = System.nanoTime() - t0;
            RunEvent e = RunEvents.of(runId, 1, RunEvents.source("trainer", "bench"), CheckpointSnapshotted.newBuilder()
                    .setStep(trainer.stepsDone()).setStallNanos(staged).setStagingUri(file.toUri().toString())
                    .setSha256(sha).setBytes(state.length).build());
            events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e)).get(30, TimeUnit.SECONDS);
            stalls[i] = System.nanoTime() - t0;
            acks[i] = stalls[i] - staged;
            bytes = state.length;
        }
        Arrays.sort(stalls);
        double mean = Arrays.stream(stalls).average().orElse(0);
        System.out.printf("SNAPSHOT: %d snapshots of %d bytes; blocking stall mean %.2f ms, median %.2f ms, max %.2f "
                        + "ms (of which waiting for the ack: mean %.2f ms); baseline step %.2f ms%n", snapshots, bytes,
                mean / 1e6, stalls[snapshots / 2] / 1e6, stalls[snapshots - 1] / 1e6,
                Arrays.stream(acks).average().orElse(0) / 1e6, lastStepNanos / 1e6);
        for (int interval : INTERVALS) {
            System.out.printf("  interval %3d steps: stall / training time between snapshots = %.3f%%%n", interval,
                    100.0 * mean / (interval * lastStepNanos));
        }
    }

    /** As the trainer's SnapshotStaging: temp file, fsync, atomic rename. */
    private static Path stage(Path staging, String runId, long step, byte[] bytes) throws Exception {
        Path dir = staging.resolve(runId);
        Files.createDirectories(dir);
        Path target = dir.resolve(String.format("step-%010d-attempt-1.plppstate", step));
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** What the trainer service does per step and per heartbeat period. */
    private static final class Emitter {
        private final String runId;
        private final KafkaProducer<String, RunEvent> events;
        private final KafkaProducer<String, Heartbeat> heartbeats;
        private volatile long step;
        private long sequence;
        long beats;

        Emitter(String runId, KafkaProducer<String, RunEvent> events, KafkaProducer<String, Heartbeat> heartbeats) {
            this.runId = runId;
            this.events = events;
            this.heartbeats = heartbeats;
        }

        RunEvent envelope(StepResult r) {
            return RunEvents.of(runId, 1, RunEvents.source("trainer", "bench"), StepCompleted.newBuilder()
                    .setStep(r.step() + 1).setEpoch(r.epoch()).setStepNanos(r.stepNanos()).setLoss(r.loss())
                    .setCeLoss(r.ceLoss()).setPplLoss(r.pplLoss()).setIpplLoss(r.ipplLoss()).setKgLoss(0)
                    .setAccuracy(r.accuracy()).setSamples(r.samples()).setLr(r.lr()).build());
        }

        private final java.util.concurrent.ExecutorService thread = Executors.newSingleThreadExecutor();

        /** As the trainer's LedgerWriter: the envelope here, serialisation and send on the emitter thread. */
        void emitAsync(StepResult r) {
            step = r.step() + 1;
            RunEvent e = envelope(r);
            thread.execute(() -> send(e));
        }

        /** The previous design: serialisation and send on the step thread. */
        void emitInline(StepResult r) {
            step = r.step() + 1;
            send(envelope(r));
        }

        private void send(RunEvent e) {
            events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e), (md, error) -> {
                if (error != null) {
                    System.err.println("emission failed: " + error);
                }
            });
        }

        void close() {
            thread.shutdown();
        }

        void beat() {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            heartbeats.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), runId, Heartbeat.newBuilder()
                    .setRunId(runId).setAttempt(1).setStep(step).setLastStepTime(now).setSequence(++sequence)
                    .setEventTime(now).setSource(RunEvents.source("trainer", "bench")).build()));
            beats++;
        }
    }

    /** The trainer service's producer settings (KafkaSettings.producerConfig). */
    private static Map<String, Object> producerConfig(String bootstrap, String purpose) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "bench-" + purpose,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    }

    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // best effort: a temp directory
        }
    }
}
