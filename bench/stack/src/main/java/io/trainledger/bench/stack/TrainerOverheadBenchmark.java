package io.trainledger.bench.stack;

import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import ai.djl.pytorch.jni.JniUtils;
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
import io.trainledger.trainer.LedgerEmitter;
import io.trainledger.trainer.StepFacts;
import java.time.Duration;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
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
 *   <li>Event emission + heartbeats: three trainers of the same config and seed (identical arithmetic) step in
 *       rotating blocks: one bare (baseline); one emitting as the trainer service does now, through the trainer's
 *       own {@code LedgerEmitter} (the step thread enqueues a {@code StepFacts}; the emitter thread drains every
 *       drain period, builds the envelopes and sends), with a heartbeat thread beating every 500 ms; and one with the
 *       previous hand-off (envelope built on the step thread, one executor task per event, which wakes the emitter
 *       thread every step). Reported per arm: wall-clock time per step, CPU time of the step thread per step, time
 *       spent in the hand-off, and the CPU time of this process, of the broker process and of the registry process
 *       per step, and the machine's busy CPU (all processes, from /proc/stat), so a wall-clock difference can be
 *       told apart from work the trainer does.</li>
 *   <li>Blocking snapshot stall: TrainingState to bytes, staged as the trainer does (temp file, fsync, atomic
 *       rename), sha256, CheckpointSnapshotted sent and acknowledged; as a fraction of the training time between
 *       two snapshots (interval x the baseline's mean step time).</li>
 * </ol>
 * Arguments: {@code [blockSteps=50] [blocks=6] [snapshots=20] [dataDir] [drainMs=100]} (dataDir holds the backbone
 * cache, default {@code bench/stack/target/bench-data}; drainMs is the trainer's {@code ledger-drain-period}). One
 * libtorch intra-op and one inter-op thread in every arm, as the trainer runs ({@code trainledger.trainer.torch-threads
 * =1}); the count libtorch reports is printed.
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
        long drainMs = args.length > 4 ? Long.parseLong(args[4]) : 100; // the trainer's ledger-drain-period
        Files.createDirectories(data);
        System.out.printf("Trainer overhead benchmark: PLPP standard backbone, %d blocks x %d steps per arm, "
                        + "%d snapshots, ledger drain period %d ms, %d cores, Java %s, load average %.1f%n", blocks,
                blockSteps, snapshots, drainMs, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), load());

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
                System.out.printf("libtorch threads: intra-op %d, inter-op %d%n", JniUtils.getNumThreads(),
                        JniUtils.getNumInteropThreads());
                LedgerEmitter ledger = new LedgerEmitter(new KafkaProducer<>(producerConfig(bootstrap, "emitter"),
                        Topics.RUN_EVENTS.keySerde().serializer(), Topics.RUN_EVENTS.valueSerde(registry).serializer()),
                        RunEvents.source("trainer", "bench"), Duration.ofMillis(drainMs), 10_000,
                        LedgerEmitter.Listener.NONE, TrainerOverheadBenchmark.class.getClassLoader());
                Emitter emitter = new Emitter(runId, events, beats, ledger);
                // Warm-up: libtorch allocator, serde schema registration, and the JIT of the emission paths. A
                // trainer service runs for hours: its Kafka and Avro code is compiled long before a measured step,
                // so the emission paths are warmed by a few thousand events (the parts measurement) first.
                for (int i = 0; i < 40; i++) {
                    bare.step();
                    emitter.emitTrainer(emitting.step());
                    emitter.emitPrevious(inline.step());
                }
                StepResult sample = inline.step();
                emissionParts(emitter, registry, sample);
                for (int i = 0; i < 5000; i++) {
                    emitter.emitTrainer(sample);
                    emitter.emitPrevious(sample);
                }
                ledger.flush();
                emitter.flushPrevious();
                bare.step(); // the three trainers at the same step again (inline made the sample)
                emitting.step();
                Processes processes = new Processes(stack.brokerProcess().pid(), stack.registryProcess().pid());
                emission(blockSteps, blocks, bare, emitting, inline, emitter, processes);
                emitter.close();
                ledger.close();
                stall(snapshots, bare, events, runId, data.resolve("staging"));
            }
        } finally {
            deleteTree(stackDir);
        }
    }

    private static final String[] ARMS = {"baseline (bare step)", "trainer now (LedgerEmitter: enqueue, drained "
            + "every drain period)", "previous hand-off (envelope on the step thread, one executor task per event)",
            "control (bare step, another thread of this JVM spinning on the second core)"};
    private static final int N_ARMS = ARMS.length;

    private static void emission(int blockSteps, int blocks, PlppTrainer bare, PlppTrainer emitting,
                                 PlppTrainer previous, Emitter emitter, Processes processes) throws Exception {
        Usage[] total = new Usage[N_ARMS];
        List<List<Double>> ratios = new ArrayList<>();
        List<List<Double>> cpuRatios = new ArrayList<>();
        for (int arm = 0; arm < N_ARMS; arm++) {
            total[arm] = new Usage();
            ratios.add(new ArrayList<>());
            cpuRatios.add(new ArrayList<>());
        }
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
                r -> new Thread(r, "bench-heartbeats"));
        List<Long> handOffs = new ArrayList<>();
        try {
            for (int b = 0; b < blocks; b++) {
                Usage[] block = new Usage[N_ARMS];
                double load = load();
                // Arms in a rotating order so that drifts in machine load do not favour one of them.
                for (int k = 0; k < N_ARMS; k++) {
                    int arm = (b + k) % N_ARMS;
                    // The control arm steps the bare trainer too: the same arithmetic as the baseline.
                    PlppTrainer trainer = arm == 1 ? emitting : arm == 2 ? previous : bare;
                    var beating = arm == 1 || arm == 2
                            ? heartbeat.scheduleAtFixedRate(emitter::beat, 0, 500, TimeUnit.MILLISECONDS) : null;
                    Spinner spinner = arm == 3 ? Spinner.start() : null;
                    Usage u = Usage.start(processes);
                    long handOff = 0;
                    for (int i = 0; i < blockSteps; i++) {
                        StepResult r = trainer.step();
                        if (arm == 1 || arm == 2) {
                            long s0 = System.nanoTime();
                            if (arm == 1) {
                                emitter.emitTrainer(r);
                            } else {
                                emitter.emitPrevious(r);
                            }
                            long h = System.nanoTime() - s0;
                            handOff += h;
                            if (arm == 1) {
                                handOffs.add(h);
                            }
                        }
                    }
                    if (beating != null) {
                        beating.cancel(false);
                    }
                    // What the arm caused after its last step (the drain, the acknowledgements) is charged to it.
                    if (arm == 1) {
                        emitter.ledger.flush();
                    } else if (arm == 2) {
                        emitter.flushPrevious();
                    }
                    block[arm] = u.stop(processes, handOff);
                    if (spinner != null) {
                        spinner.stop();
                    }
                    total[arm].add(block[arm]);
                }
                for (int arm = 1; arm < N_ARMS; arm++) {
                    ratios.get(arm).add((double) block[arm].wall / block[0].wall);
                    cpuRatios.get(arm).add((double) block[arm].threadCpu / block[0].threadCpu);
                }
                StringBuilder line = new StringBuilder(String.format("  block %d (load %.1f): wall | step-thread CPU | "
                        + "hand-off per step:", b + 1, load));
                for (int arm = 0; arm < N_ARMS; arm++) {
                    line.append(String.format(" [%d] %.2f ms | %.2f ms | %.1f us", arm, block[arm].wall / 1e6 / blockSteps,
                            block[arm].threadCpu / 1e6 / blockSteps, block[arm].handOff / 1e3 / blockSteps));
                }
                System.out.println(line);
            }
        } finally {
            heartbeat.shutdownNow();
        }
        int steps = blockSteps * blocks;
        Usage base = total[0];
        for (int arm = 0; arm < N_ARMS; arm++) {
            Usage u = total[arm];
            System.out.printf("ARM [%d] %s: wall %.3f ms/step; step thread CPU %.3f ms/step, hand-off %.2f us/step; CPU per "
                            + "step: this JVM %.3f ms, broker %.3f ms, registry %.3f ms, whole machine %.3f ms%n",
                    arm, ARMS[arm], u.wall / 1e6 / steps, u.threadCpu / 1e6 / steps, u.handOff / 1e3 / steps,
                    u.processCpu / 1e6 / steps, u.brokerCpu / 1e6 / steps, u.registryCpu / 1e6 / steps,
                    u.machineBusy / 1e6 / steps);
        }
        for (int arm = 1; arm < N_ARMS; arm++) {
            Usage u = total[arm];
            System.out.printf("%s [%d] %s: wall-clock ratio %.4f (median of blocks %.4f); step-thread CPU ratio "
                            + "%.4f (median of blocks %.4f; %+.4f ms/step = %+.3f%% of the baseline step's CPU); hand-off on the step thread "
                            + "%.2f us/step = %.3f%% of the baseline step; extra CPU per step: this JVM %+.3f ms, "
                            + "broker %+.3f ms, registry %+.3f ms%n", arm == 3 ? "CONTROL" : "EMISSION", arm,
                    ARMS[arm], (double) u.wall / base.wall,
                    median(ratios.get(arm)), (double) u.threadCpu / base.threadCpu, median(cpuRatios.get(arm)),
                    (u.threadCpu - base.threadCpu) / 1e6 / steps, 100.0 * (u.threadCpu - base.threadCpu) / base.threadCpu,
                    u.handOff / 1e3 / steps, 100.0 * u.handOff / base.wall,
                    (u.processCpu - base.processCpu) / 1e6 / steps, (u.brokerCpu - base.brokerCpu) / 1e6 / steps,
                    (u.registryCpu - base.registryCpu) / 1e6 / steps);
        }
        for (int arm = 0; arm < N_ARMS; arm++) {
            StringBuilder line = new StringBuilder(String.format("CPU BY THREAD [%d] ms/step:", arm));
            total[arm].byGroup.forEach((g, nanos) -> line.append(String.format(" %s %.3f,", g, nanos / 1e6 / steps)));
            long java = total[arm].byGroup.values().stream().mapToLong(Long::longValue).sum();
            line.append(String.format(" not Java threads (JIT compiler, GC) %.3f", (total[arm].processCpu - java) / 1e6
                    / steps));
            System.out.println(line);
        }
        long[] sorted = handOffs.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("HAND-OFF [1] per step: median %.2f us, p90 %.2f us, p99 %.2f us, max %.1f us (%d steps)%n",
                sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.9)] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3, sorted[sorted.length - 1] / 1e3, sorted.length);
        System.out.printf("%d heartbeats%n", emitter.beats);
        lastStepNanos = (double) base.wall / steps;
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
            emitter.send(emitter.envelope(r));
        }
        long send = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            emitter.emitTrainer(r);
        }
        long handOff = System.nanoTime() - t0;
        System.out.printf("EMISSION PARTS (tight loop of %d): envelope %.1f us, serialize %.1f us, whole async send "
                + "%.1f us per event; the trainer's hand-off (StepFacts enqueued) %.2f us%n", n, build / 1e3 / n,
                serialize / 1e3 / n, send / 1e3 / n, handOff / 1e3 / n);
    }

    private static void stall(int snapshots, PlppTrainer trainer, KafkaProducer<String, RunEvent> events,
                              String runId, Path staging) throws Exception {
        Files.createDirectories(staging);
        long[] stalls = new long[snapshots];
        long[] acks = new long[snapshots];
        long bytes = 0;
        int flushed = 0;
        long unflushedStall = 0;
        long unflushedAck = 0;
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
            // As the trainer's LedgerEmitter does for an awaited event: send, flush (no linger), wait for the ack.
            // Every other snapshot without the flush, as the emitter did before: the baseline in the same run.
            boolean flush = i % 2 == 0;
            var acked = events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), runId, e));
            if (flush) {
                events.flush();
            }
            acked.get(30, TimeUnit.SECONDS);
            long stall = System.nanoTime() - t0;
            if (flush) {
                stalls[flushed++] = stall;
                acks[i / 2] = stall - staged;
            } else {
                unflushedStall += stall;
                unflushedAck += stall - staged;
            }
            bytes = state.length;
        }
        int unflushed = snapshots - flushed;
        System.out.printf("SNAPSHOT without the flush (%d snapshots, the previous emitter): stall mean %.2f ms, "
                        + "ack %.2f ms%n", unflushed, unflushedStall / 1e6 / Math.max(1, unflushed),
                unflushedAck / 1e6 / Math.max(1, unflushed));
        stalls = Arrays.copyOf(stalls, flushed);
        acks = Arrays.copyOf(acks, flushed);
        snapshots = flushed;
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
