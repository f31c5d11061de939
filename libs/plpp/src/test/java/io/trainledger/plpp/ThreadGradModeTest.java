package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The library works on any thread whatever libtorch's per-thread gradient mode is there (a new
 * thread starts with it on; DJL switches it off only on the thread that loaded the engine), gives
 * the same bits as with the mode off, and hands the caller's mode back unchanged.
 */
class ThreadGradModeTest {

    /** What one run on a fresh thread produced. */
    private record Outcome(TrainingState state, EvaluationResult eval, boolean modeAfter) {}

    @Test
    void sameTrainingWithGradModeOnOrOffAndCallerModeRestored() throws Exception {
        Outcome off = onFreshThread(false);
        Outcome on = onFreshThread(true);
        assertThat(off.modeAfter()).isFalse();
        assertThat(on.modeAfter()).as("caller's grad mode restored").isTrue();
        assertThat(on.state().step()).isEqualTo(8);
        assertThat(on.state().context()).containsExactly(off.state().context());
        assertThat(on.state().momentum()).containsExactly(off.state().momentum());
        assertThat(on.eval().accuracy()).isEqualTo(off.eval().accuracy());
    }

    private static Outcome onFreshThread(boolean gradMode) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(run(gradMode));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "grad-mode-" + gradMode);
        t.start();
        t.join();
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("run with grad mode " + gradMode + " on entry failed", e);
        }
        return (Outcome) result.get();
    }

    /** PLPP + KgCoOp: task, 4 steps, snapshot, restore, 4 steps, evaluate; everything through the public API. */
    private static Outcome run(boolean gradMode) {
        Engine.getInstance(); // loads libtorch (the JNI calls below need it)
        JniUtils.setGradMode(gradMode);
        PlppConfig config = ResumeProbe.config(PromptMethod.PLPP_KGCOOP, 8).toBuilder().nearestWordsEvery(2).build();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
            ProceduralWorld world = new ProceduralWorld(20);
            TinyClip clip = TinyClip.initialise(TinyClipConfig.small(), world.vocabulary(), root, Device.cpu(), 99);
            try (TaskData task = TaskData.build(world, clip, config.dataset(), config.protocol(), config.shots(),
                    config.seed(), config.testPerClass())) {
                TrainingState half;
                try (PlppTrainer t = PlppTrainer.create(clip, task, config)) {
                    while (t.stepsDone() < 4) {
                        assertThat(t.step().finite()).isTrue();
                    }
                    half = TrainingState.fromBytes(t.snapshot().toBytes());
                }
                try (PlppTrainer t = PlppTrainer.restore(clip, task, config, half)) {
                    while (!t.done()) {
                        assertThat(t.step().finite()).isTrue();
                    }
                    return new Outcome(t.snapshot(), t.evaluate(), JniUtils.isGradMode());
                }
            } finally {
                clip.close();
            }
        }
    }
}
