package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/**
 * The default-CI training check: on the short-pretrained backbone, zero-shot is well above chance
 * on new classes, and a short CoOp run on the hue-shifted task learns (loss falls, base accuracy
 * rises above zero-shot). Snapshot requests are honoured at step boundaries.
 */
class ShortTrainingTest {

    @Test
    void zeroShotAboveChanceAndCoopLearns() {
        PlppEnvironment env = TestBackbones.pretrained();
        PlppConfig zs = PlppConfig.builder().method(PromptMethod.ZERO_SHOT).nearestWordsEvery(0).build();
        EvaluationResult zero;
        try (TaskData task = env.task(zs); PlppTrainer t = env.trainer(task, zs)) {
            assertThat(t.done()).isTrue();
            zero = t.evaluate();
        }
        double chance = 1.0 / 32;
        System.out.printf("zero-shot base %.3f new %.3f HM %.3f%n", zero.base(), zero.novel(), zero.harmonicMean());
        assertThat(zero.novel()).as("zero-shot new-class accuracy vs chance %.3f", chance).isGreaterThan(3 * chance);

        PlppConfig coop = PlppConfig.builder().method(PromptMethod.COOP).steps(160).warmupSteps(0)
                .learningRate(0.02).nearestWordsEvery(80).build();
        List<StepResult> results = new ArrayList<>();
        List<TrainingState> snapshots = new ArrayList<>();
        EvaluationResult trained;
        try (TaskData task = env.task(coop); PlppTrainer t = env.trainer(task, coop)) {
            t.run(new StepListener() {
                @Override
                public void onStep(StepResult r) {
                    results.add(r);
                    if (r.step() == 49) {
                        t.requestSnapshot();
                    }
                }

                @Override
                public void onSnapshot(TrainingState s) {
                    snapshots.add(s);
                }
            });
            trained = t.evaluate();
        }
        assertThat(results).hasSize(160);
        assertThat(snapshots).hasSize(1);
        assertThat(snapshots.get(0).step()).isEqualTo(50);
        double first = results.subList(0, 16).stream().mapToDouble(StepResult::loss).average().orElseThrow();
        double last = results.subList(144, 160).stream().mapToDouble(StepResult::loss).average().orElseThrow();
        System.out.printf("CoOp loss %.3f -> %.3f; base %.3f new %.3f%n", first, last, trained.base(), trained.novel());
        assertThat(last).isLessThan(first * 0.9);
        assertThat(trained.base()).isGreaterThan(zero.base() + 0.03);
        assertThat(results.get(0).lr()).isEqualTo(0.02);
        assertThat(results.get(159).lr()).isLessThan(1e-4);
    }
}
