package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory stays flat over PLPP+KgCoOp steps after a warm-up (the NDScope pattern): RSS at
 * any later sample is within 10% of RSS after warm-up. 5,000 steps with -Dtrainledger.full=true;
 * 1,500 in the default run (5,000 take 1-2 minutes on a shared 2-core machine).
 */
class MemoryFlatTest {

    @Test
    void rssIsFlatOverLongRun() throws IOException {
        boolean full = Boolean.getBoolean("trainledger.full");
        long steps = full ? 5_000 : 1_500;
        long warmup = full ? 500 : 300;
        try (NDManager root = NDManager.newBaseManager(TestBackbones.cpu())) {
            ProceduralWorld world = new ProceduralWorld(20);
            TinyClip clip = TinyClip.initialise(TinyClipConfig.small(), world.vocabulary(), root, TestBackbones.cpu(), 3);
            PlppConfig config = PlppConfig.builder().method(PromptMethod.PLPP_KGCOOP).steps(steps).shots(1)
                    .learningRate(1e-4).batchSize(8).testPerClass(1).nearestWordsEvery(1000).build();
            try (TaskData task = TaskData.build(world, clip, config.dataset(), config.protocol(), config.shots(),
                    config.seed(), config.testPerClass());
                 PlppTrainer t = PlppTrainer.create(clip, task, config)) {
                long baseline = 0;
                long max = 0;
                int nonFinite = 0;
                while (!t.done()) {
                    StepResult r = t.step();
                    if (!r.finite()) {
                        nonFinite++;
                    }
                    if (r.step() + 1 == warmup) {
                        System.gc();
                        baseline = rssKb();
                    } else if (r.step() >= warmup && r.step() % 250 == 0) {
                        max = Math.max(max, rssKb());
                    }
                }
                max = Math.max(max, rssKb());
                System.out.printf("RSS after warm-up %d kB, max later %d kB (%.1f%%), non-finite steps %d%n", baseline, max,
                        100.0 * (max - baseline) / baseline, nonFinite);
                assertThat(baseline).isPositive();
                assertThat((double) max).isLessThanOrEqualTo(baseline * 1.10);
                // Regression guard for the freed-scalar bug (docs/PLPP.md, section 5): this run used to go NaN.
                assertThat(nonFinite).as("non-finite steps").isZero();
            }
            clip.close();
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
