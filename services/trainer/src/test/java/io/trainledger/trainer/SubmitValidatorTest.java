package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.commands.SubmitRun;
import io.trainledger.events.ChaosSettings;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SubmitValidatorTest {
    private final SubmitValidator validator = SubmitValidator.forProceduralWorld(false);

    private Optional<Rejection> check(Consumer<RunConfig.Builder> change) {
        RunConfig.Builder b = TestConfigs.small(PromptMethod.PLPP, 100, 10);
        change.accept(b);
        return validator.validate("run-1", TestConfigs.submit(b.build()), false);
    }

    @Test
    void acceptsAValidRun() {
        assertThat(check(b -> { })).isEmpty();
    }

    @Test
    void rejectsUnknownMethod() {
        assertThat(check(b -> b.setMethod(PromptMethod.UNKNOWN))).get()
                .satisfies(r -> assertThat(r.field()).isEqualTo("method"))
                .satisfies(r -> assertThat(r.reason()).contains("unknown method"));
    }

    @Test
    void rejectsNonPositiveLearningRate() {
        assertThat(check(b -> b.setLearningRate(-0.1))).get().extracting(Rejection::field).isEqualTo("learningRate");
        assertThat(check(b -> b.setLearningRate(0))).get().extracting(Rejection::field).isEqualTo("learningRate");
        assertThat(check(b -> b.setLearningRate(Double.NaN))).get().extracting(Rejection::field)
                .isEqualTo("learningRate");
    }

    @Test
    void rejectsTopKLargerThanTheVocabulary() {
        int v = validator.vocabularySize();
        assertThat(check(b -> b.setTopK(v))).isEmpty();
        assertThat(check(b -> b.setTopK(v + 1))).get()
                .satisfies(r -> assertThat(r.field()).isEqualTo("topK"))
                .satisfies(r -> assertThat(r.reason()).contains(Integer.toString(v)));
        assertThat(check(b -> b.setTopK(0))).get().extracting(Rejection::field).isEqualTo("topK");
    }

    @Test
    void rejectsMissingAndInvalidFields() {
        assertThat(check(b -> b.setDataset(""))).get().extracting(Rejection::field).isEqualTo("dataset");
        assertThat(check(b -> b.setDataset("imagenet"))).get().extracting(Rejection::field).isEqualTo("dataset");
        assertThat(check(b -> b.setSteps(0))).get().extracting(Rejection::field).isEqualTo("steps");
        assertThat(check(b -> b.setShots(0))).get().extracting(Rejection::field).isEqualTo("shots");
        assertThat(check(b -> b.setBatchSize(-1))).get().extracting(Rejection::field).isEqualTo("batchSize");
        assertThat(check(b -> b.setContextLength(40))).get().extracting(Rejection::field).isEqualTo("contextLength");
        assertThat(check(b -> b.setContextInit("a photo of zzqx"))).get().extracting(Rejection::field)
                .isEqualTo("contextInit");
        assertThat(check(b -> b.setDevice("tpu"))).get().extracting(Rejection::field).isEqualTo("device");
        assertThat(check(b -> b.setTauQ(0))).get().extracting(Rejection::field).isEqualTo("tauQ");
        assertThat(check(b -> b.setMomentum(1.5))).get().extracting(Rejection::field).isEqualTo("momentum");
        assertThat(check(b -> b.setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(0).build())))
                .get().extracting(Rejection::field).isEqualTo("checkpoint.intervalSteps");
        assertThat(validator.validate("run-1", SubmitRun.newBuilder()
                .setConfig(TestConfigs.small(PromptMethod.COOP, 10, 5).build()).setIdealStepSeconds(-1.0).build(),
                false)).get().extracting(Rejection::field).isEqualTo("idealStepSeconds");
    }

    @Test
    void rejectsAnExistingOrMissingRunId() {
        SubmitRun ok = TestConfigs.submit(TestConfigs.small(PromptMethod.COOP, 10, 5).build());
        assertThat(validator.validate("run-1", ok, true)).get()
                .satisfies(r -> assertThat(r.field()).isEqualTo("runId"))
                .satisfies(r -> assertThat(r.reason()).contains("already exists"));
        assertThat(validator.validate(" ", ok, false)).get().extracting(Rejection::field).isEqualTo("runId");
    }

    @Test
    void refusesChaosUnlessEnabled() {
        ChaosSettings chaos = ChaosSettings.newBuilder().setMtbfSeconds(5).setMix(Map.of("HANG", 1.0)).setSeed(1)
                .build();
        assertThat(check(b -> b.setChaos(chaos))).get()
                .satisfies(r -> assertThat(r.field()).isEqualTo("chaos"))
                .satisfies(r -> assertThat(r.reason()).contains("chaos.enabled=false"));

        SubmitValidator enabled = SubmitValidator.forProceduralWorld(true);
        RunConfig.Builder b = TestConfigs.small(PromptMethod.COOP, 10, 5);
        assertThat(enabled.validate("r", TestConfigs.submit(b.setChaos(chaos).build()), false)).isEmpty();
        ChaosSettings badMix = ChaosSettings.newBuilder(chaos).setMix(Map.of("CHECKPOINT_CORRUPT", 1.0)).build();
        assertThat(enabled.validate("r", TestConfigs.submit(b.setChaos(badMix).build()), false)).get()
                .extracting(Rejection::field).isEqualTo("chaos.mix");
        ChaosSettings badMtbf = ChaosSettings.newBuilder(chaos).setMtbfSeconds(0).build();
        assertThat(enabled.validate("r", TestConfigs.submit(b.setChaos(badMtbf).build()), false)).get()
                .extracting(Rejection::field).isEqualTo("chaos.mtbfSeconds");
    }
}
