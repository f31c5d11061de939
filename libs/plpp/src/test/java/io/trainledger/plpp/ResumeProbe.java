package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child-process entry of the two-JVM exact-resume test. Uses a randomly initialised small TinyClip
 * (deterministic in its seed; resume does not need a good backbone) and the given method (the test
 * uses PLPP and PLPP + KgCoOp), which exercises the whole training state (context, momentum,
 * data-order RNG, permutation, schedule).
 *
 * <p>Usage: {@code METHOD straight N out} | {@code METHOD first N stateFile} |
 * {@code METHOD second N stateFile out}.
 */
public final class ResumeProbe {
    static PlppConfig config(PromptMethod method, long steps) {
        return PlppConfig.builder().method(method).steps(steps).warmupSteps(4).learningRate(0.05)
                .shots(4).batchSize(20).testPerClass(2).nearestWordsEvery(0).seed(7).build();
    }

    public static void main(String[] args) throws Exception {
        PromptMethod method = PromptMethod.valueOf(args[0]);
        String mode = args[1];
        long n = Long.parseLong(args[2]);
        PlppConfig config = config(method, n);
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            ProceduralWorld world = new ProceduralWorld(20);
            TinyClip clip = TinyClip.initialise(TinyClipConfig.small(), world.vocabulary(), root, Device.cpu(), 99);
            try (TaskData task = TaskData.build(world, clip, config.dataset(), config.protocol(), config.shots(),
                    config.seed(), config.testPerClass())) {
                switch (mode) {
                    case "straight" -> {
                        try (PlppTrainer t = PlppTrainer.create(clip, task, config)) {
                            while (!t.done()) {
                                t.step();
                            }
                            Files.write(Path.of(args[3]), t.snapshot().toBytes());
                        }
                    }
                    case "first" -> {
                        try (PlppTrainer t = PlppTrainer.create(clip, task, config)) {
                            while (t.stepsDone() < n / 2) {
                                t.step();
                            }
                            Files.write(Path.of(args[3]), t.snapshot().toBytes());
                        }
                    }
                    case "second" -> {
                        TrainingState s = TrainingState.fromBytes(Files.readAllBytes(Path.of(args[3])));
                        try (PlppTrainer t = PlppTrainer.restore(clip, task, config, s)) {
                            while (!t.done()) {
                                t.step();
                            }
                            Files.write(Path.of(args[4]), t.snapshot().toBytes());
                        }
                    }
                    default -> throw new IllegalArgumentException(mode);
                }
            }
            clip.close();
        }
    }
}
