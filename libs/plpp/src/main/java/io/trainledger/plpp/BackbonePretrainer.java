package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Contrastive pretraining of {@link TinyClip} on the procedural world: multi-positive InfoNCE
 * (every caption in the batch that is true of an image counts as a positive, because captions
 * that name few attributes repeat inside a batch), AdamW, linear warm-up then cosine decay.
 */
public final class BackbonePretrainer {
    private static final Logger LOG = LoggerFactory.getLogger(BackbonePretrainer.class);

    /** Pretraining hyper-parameters. */
    public record Config(long seed, int steps, int batchSize, double learningRate, double weightDecay, int warmupSteps) {
        /** The benchmark backbone: 1,200 steps of batch 128. */
        public static Config standard() {
            return new Config(1, 1200, 128, 2e-3, 0.05, 100);
        }

        /** A short pretraining for tests. */
        public static Config quick() {
            return new Config(1, 300, 64, 3e-3, 0.05, 30);
        }

        public String key() {
            return "s" + seed + "n" + steps + "b" + batchSize + "lr" + learningRate + "wd" + weightDecay + "wu" + warmupSteps;
        }
    }

    static final double IMAGE_LR_MULT = Double.parseDouble(System.getProperty("plpp.pretrain.imageLrMult", "1"));

    private BackbonePretrainer() {}

    /** Pretrains a fresh TinyClip and returns its encoded weights. */
    public static byte[] pretrain(ProceduralWorld world, TinyClipConfig tc, Config pc, NDManager parent, Device device) {
        try (TinyClip model = TinyClip.initialise(tc, world.vocabulary(), parent, device, pc.seed())) {
            model.setTrainable(true);
            NDManager m = model.manager();
            Map<String, NDArray[]> adam = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                Shape s = e.getValue().getShape();
                adam.put(e.getKey(), new NDArray[] {m.zeros(s), m.zeros(s)});
            }
            long t0 = System.nanoTime();
            for (int step = 0; step < pc.steps(); step++) {
                double lr = lr(pc, step);
                float loss;
                try (NDScope scope = new NDScope()) {
                    loss = step(world, model, pc, step);
                    adamW(model, adam, lr, pc.weightDecay(), step + 1);
                }
                if (step % 100 == 0 || step == pc.steps() - 1) {
                    LOG.info("pretrain step {}/{} loss {} lr {} ({} ms/step)", step, pc.steps(),
                            String.format("%.4f", loss), String.format("%.2e", lr),
                            String.format("%.1f", (System.nanoTime() - t0) / 1e6 / (step + 1)));
                }
            }
            model.setTrainable(false);
            return model.encodeWeights();
        }
    }

    static double lr(Config pc, int step) {
        if (step < pc.warmupSteps()) {
            return pc.learningRate() * (step + 1) / pc.warmupSteps();
        }
        double t = (double) (step - pc.warmupSteps()) / Math.max(1, pc.steps() - pc.warmupSteps());
        return pc.learningRate() * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    private static float step(ProceduralWorld world, TinyClip model, Config pc, int step) {
        SplitMix64 r = SplitMix64.of(pc.seed(), 1_000_000L + step);
        int b = pc.batchSize();
        int n = world.imageSize();
        float[] images = new float[b * 3 * n * n];
        ProceduralWorld.Attributes[] attrs = new ProceduralWorld.Attributes[b];
        ProceduralWorld.Caption[] caps = new ProceduralWorld.Caption[b];
        int maxLen = 0;
        for (int i = 0; i < b; i++) {
            attrs[i] = ProceduralWorld.Attributes.random(r);
            System.arraycopy(world.render(attrs[i], r), 0, images, i * 3 * n * n, 3 * n * n);
            caps[i] = world.caption(attrs[i], r);
            maxLen = Math.max(maxLen, caps[i].tokens().length + 2);
        }
        Vocabulary v = world.vocabulary();
        int[][] tokens = new int[b][maxLen];
        int[] eos = new int[b];
        float[] pos = new float[b * b];
        for (int i = 0; i < b; i++) {
            int[] t = caps[i].tokens();
            tokens[i][0] = v.id(Vocabulary.SOS);
            System.arraycopy(t, 0, tokens[i], 1, t.length);
            tokens[i][t.length + 1] = v.id(Vocabulary.EOS);
            eos[i] = t.length + 1;
            for (int j = 0; j < b; j++) {
                pos[i * b + j] = caps[j].consistentWith(attrs[i]) ? 1f : 0f;
            }
        }
        NDManager m = model.manager();
        NDArray img = m.create(images, new Shape(b, 3, n, n));
        NDArray positives = m.create(pos, new Shape(b, b));
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray fi = model.encodeImages(img).normalize(2, -1, 1e-12);
            NDArray ft = model.encodeText(model.embed(tokens), eos).features().normalize(2, -1, 1e-12);
            NDArray scale = model.logLogitScale().clip(0f, (float) Math.log(100)).exp();
            NDArray logits = fi.matMul(ft.transpose()).mul(scale);
            NDArray loss = multiPositiveInfoNce(logits, positives).add(multiPositiveInfoNce(logits.transpose(), positives.transpose())).div(2);
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    /** mean_i [ logsumexp_j l_ij - logsumexp_{j positive} l_ij ]. */
    static NDArray multiPositiveInfoNce(NDArray logits, NDArray positives) {
        NDArray all = logSumExp(logits, 1);
        NDArray pos = logSumExp(logits.add(positives.sub(1f).mul(1e9f)), 1);
        return all.sub(pos).mean();
    }

    static NDArray logSumExp(NDArray x, int axis) {
        NDArray max = x.max(new int[] {axis}, true).stopGradient();
        return x.sub(max).exp().sum(new int[] {axis}, true).log().add(max).squeeze(axis);
    }

    private static void adamW(TinyClip model, Map<String, NDArray[]> state, double lr, double wd, int t) {
        double b1 = 0.9;
        double b2 = 0.98;
        double eps = 1e-8;
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            NDArray[] mv = state.get(e.getKey());
            mv[0].muli((float) b1).addi(g.mul((float) (1 - b1)));
            mv[1].muli((float) b2).addi(g.square().mul((float) (1 - b2)));
            String name = e.getKey();
            double plr = name.startsWith("conv") || name.startsWith("i") ? lr * IMAGE_LR_MULT : lr;
            if (p.getShape().dimension() >= 2 && !name.equals("pos") && !name.equals("tok")) {
                p.muli((float) (1 - plr * wd));
            }
            NDArray update = mv[0].div((float) c1).div(mv[1].div((float) c2).sqrt().add((float) eps)).mul((float) plr);
            p.subi(update);
            g.subi(g);
        }
    }
}
