package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Through the real text encoder: no frozen parameter gets a gradient or changes, and the gradients
 * of L_ppl / L_ippl w.r.t. the context vectors match central finite differences (float64 copy of
 * a small random TinyClip, both alignments, unified and class-specific context).
 */
class FrozenBackboneAndGradientTest {
    static NDManager root;
    static ProceduralWorld world;
    static TinyClip clip;
    static TaskData task;

    @BeforeAll
    static void setUp() {
        root = NDManager.newBaseManager(TestBackbones.cpu());
        world = new ProceduralWorld(20);
        clip = TinyClip.initialise(TinyClipConfig.small(), world.vocabulary(), root, TestBackbones.cpu(), 5);
        task = TaskData.build(world, clip, "hue-shift", Protocol.BASE_TO_NEW, 2, 1, 1);
    }

    @AfterAll
    static void tearDown() {
        task.close();
        clip.close();
        root.close();
    }

    @Test
    void frozenParametersGetNoGradientAndDoNotChange() {
        Map<String, float[]> before = new LinkedHashMap<>();
        clip.parameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
        PlppConfig config = PlppConfig.builder().method(PromptMethod.PLPP_KGCOOP).steps(5).warmupSteps(0)
                .learningRate(0.1).batchSize(16).shots(2).testPerClass(1).nearestWordsEvery(0).build();
        float[] ctxBefore;
        try (PlppTrainer t = PlppTrainer.create(clip, task, config)) {
            ctxBefore = t.learner().context().toFloatArray();
            while (!t.done()) {
                StepResult r = t.step();
                assertThat(r.finite()).isTrue();
                assertThat(r.pplLoss()).isPositive();
                assertThat(r.ipplLoss()).isPositive();
            }
            assertThat(t.learner().context().toFloatArray()).isNotEqualTo(ctxBefore);
        }
        for (Map.Entry<String, NDArray> e : clip.parameters().entrySet()) {
            assertThat(e.getValue().hasGradient()).as("%s requires grad", e.getKey()).isFalse();
            assertThat(e.getValue().toFloatArray()).as("%s unchanged", e.getKey()).containsExactly(before.get(e.getKey()));
        }
    }

    @Test
    void perplexityGradientsThroughTheEncoderMatchFiniteDifferences() {
        try (TinyClip clip64 = clip.withDataType(DataType.FLOAT64)) {
            for (PerplexityAlignment alignment : PerplexityAlignment.values()) {
                for (boolean classSpecific : new boolean[] {false, true}) {
                    PlppConfig config = PlppConfig.builder().method(PromptMethod.PLPP).steps(1).contextLength(3)
                            .contextInit(null).topK(3).tauQ(0.5).alignment(alignment)
                            .classSpecificContext(classSpecific).shots(2).testPerClass(1).nearestWordsEvery(0).build();
                    try (PlppTrainer t = PlppTrainer.create(clip64, task, config)) {
                        check(t, true, alignment + (classSpecific ? " csc" : ""));
                        check(t, false, alignment + (classSpecific ? " csc" : ""));
                    }
                }
            }
        }
    }

    private static void check(PlppTrainer t, boolean ppl, String label) {
        NDArray ctx = t.learner().context();
        assertThat(ctx.getDataType()).isEqualTo(DataType.FLOAT64);
        PerplexityLoss.Teachers teachers = t.perplexityTeachers();
        double[] analytic;
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            PerplexityLoss.Terms terms = t.perplexityTerms(teachers);
            gc.backward(ppl ? terms.ppl() : terms.ippl());
            NDArray g = ctx.getGradient();
            analytic = g.toDoubleArray();
            g.subi(g);
        }
        double[] base = ctx.toDoubleArray();
        double eps = 1e-5;
        // A spread of coordinates: every context vector, several dimensions.
        for (int i = 0; i < base.length; i += Math.max(1, base.length / 24)) {
            double[] x = base.clone();
            x[i] = base[i] + eps;
            double fp = value(t, ctx, x, teachers, ppl);
            x[i] = base[i] - eps;
            double fm = value(t, ctx, x, teachers, ppl);
            double numeric = (fp - fm) / (2 * eps);
            assertThat(analytic[i]).as("%s %s d/dctx[%d]", label, ppl ? "L_ppl" : "L_ippl", i)
                    .isCloseTo(numeric, within(1e-7 + 1e-4 * Math.abs(numeric)));
        }
        setValues(ctx, base);
        double maxAbs = java.util.Arrays.stream(analytic).map(Math::abs).max().orElseThrow();
        assertThat(maxAbs).as("%s gradient is not trivially zero", label).isGreaterThan(1e-6);
    }

    private static void setValues(NDArray ctx, double[] x) {
        try (NDScope scope = new NDScope()) {
            ctx.muli(0.0).addi(ctx.getManager().create(x, ctx.getShape()));
        }
    }

    private static double value(PlppTrainer t, NDArray ctx, double[] x, PerplexityLoss.Teachers teachers, boolean ppl) {
        setValues(ctx, x);
        try (NDScope scope = new NDScope()) {
            PerplexityLoss.Terms terms = t.perplexityTerms(teachers);
            return (ppl ? terms.ppl() : terms.ippl()).getDouble();
        }
    }
}
