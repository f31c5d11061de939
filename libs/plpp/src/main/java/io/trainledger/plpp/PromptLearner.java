package io.trainledger.plpp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CoOp prompts: [SOS] v_1..v_M [name_c] . [EOS], with M learnable context vectors shared by all
 * classes (unified) or one set per class (class-specific). Only the context vectors are trainable;
 * every backbone parameter stays frozen.
 */
public final class PromptLearner implements AutoCloseable {
    private final Backbone backbone;
    private final List<String> classNames;
    private final int m;
    private final boolean classSpecific;
    private final int contextRows;
    private final NDManager manager;
    private final NDArray context; // [M, D] or [C_train, M, D]

    /**
     * @param classNames all class names (indices used everywhere refer to this list)
     * @param trainClasses classes that get their own context when class-specific
     */
    public PromptLearner(Backbone backbone, List<String> classNames, int[] trainClasses, PlppConfig config) {
        this.backbone = backbone;
        this.classNames = classNames;
        this.m = config.contextLength();
        this.classSpecific = config.classSpecificContext();
        this.contextRows = classSpecific ? trainClasses.length : 1;
        this.manager = backbone.manager().newSubManager();
        int d = backbone.width();
        float[] init = new float[contextRows * m * d];
        SplitMix64 r = SplitMix64.of(config.seed(), 3);
        for (int i = 0; i < init.length; i++) {
            init[i] = (float) (0.02 * r.nextGaussian());
        }
        if (config.contextInit() != null) {
            int[] ids = backbone.vocabulary().encode(config.contextInit());
            float[] e = backbone.tokenEmbedding().toFloatArray();
            for (int c = 0; c < contextRows; c++) {
                for (int i = 0; i < Math.min(m, ids.length); i++) {
                    System.arraycopy(e, ids[i] * d, init, (c * m + i) * d, d);
                }
            }
        }
        Shape shape = classSpecific ? new Shape(contextRows, m, d) : new Shape(m, d);
        // Same data type as the backbone (float32 normally; float64 in gradient-check tests).
        this.context = TinyClip.owned(manager.create(init, shape).toType(backbone.tokenEmbedding().getDataType(), false));
        this.context.setRequiresGradient(true);
    }

    public NDArray context() {
        return context;
    }

    public int contextLength() {
        return m;
    }

    public boolean classSpecific() {
        return classSpecific;
    }

    /**
     * Text encoder output for the prompts of the given classes. With class-specific context,
     * {@code contextIndex[i]} selects the context of class i, or -1 for an unseen class, which gets
     * the mean of the learned contexts.
     */
    public Backbone.TextOutput encode(int[] classes, int[] contextIndex) {
        return encode(classes, contextIndex, context);
    }

    /** As {@link #encode(int[], int[])} with the given context values (same shape as {@link #context()}). */
    public Backbone.TextOutput encode(int[] classes, int[] contextIndex, NDArray context) {
        Suffix suffix = suffix(classes);
        int c = classes.length;
        int d = backbone.width();
        Vocabulary v = backbone.vocabulary();
        NDArray sos = backbone.embed(new int[][] {{v.id(Vocabulary.SOS)}}).broadcast(new Shape(c, 1, d));
        NDArray ctx;
        if (!classSpecific) {
            ctx = context.expandDims(0).broadcast(new Shape(c, m, d));
        } else {
            NDList rows = new NDList();
            NDArray mean = null;
            for (int i = 0; i < c; i++) {
                int ci = contextIndex == null ? i : contextIndex[i];
                if (ci >= 0) {
                    rows.add(context.get(ci).expandDims(0));
                } else {
                    if (mean == null) {
                        mean = context.mean(new int[] {0}).expandDims(0);
                    }
                    rows.add(mean);
                }
            }
            ctx = NDArrays.concat(rows, 0);
        }
        NDArray prompts = NDArrays.concat(new NDList(sos, ctx, suffix.embeddings), 1);
        return backbone.encodeText(prompts, suffix.eos);
    }

    private record Suffix(NDArray embeddings, int[] eos) {}

    /** Embeddings of "name_c . EOS" padded to the same length, and the EOS positions in the full prompt. */
    private Suffix suffix(int[] classes) {
        Vocabulary v = backbone.vocabulary();
        List<int[]> toks = new ArrayList<>();
        int max = 0;
        for (int c : classes) {
            int[] name = v.encode(classNames.get(c));
            int[] t = Arrays.copyOf(name, name.length + 2);
            t[name.length] = v.id(".");
            t[name.length + 1] = v.id(Vocabulary.EOS);
            toks.add(t);
            max = Math.max(max, t.length);
        }
        int[][] padded = new int[classes.length][max];
        int[] eos = new int[classes.length];
        for (int i = 0; i < classes.length; i++) {
            int[] t = toks.get(i);
            Arrays.fill(padded[i], v.id(Vocabulary.PAD));
            System.arraycopy(t, 0, padded[i], 0, t.length);
            eos[i] = 1 + m + t.length - 1;
        }
        if (1 + m + max > backbone.maxLength()) {
            throw new IllegalArgumentException("prompt longer than the text encoder's context length " + backbone.maxLength());
        }
        return new Suffix(backbone.embed(padded), eos);
    }

    /** Hand-written prompt "a photo of a {class} ." features [C, F] (not normalised): zero-shot and KgCoOp's anchor. */
    public static NDArray handcraftedFeatures(Backbone backbone, List<String> classNames, int[] classes) {
        Vocabulary v = backbone.vocabulary();
        int[][] toks = new int[classes.length][];
        int max = 0;
        for (int i = 0; i < classes.length; i++) {
            int[] body = v.encode(ProceduralWorld.HANDCRAFTED_PREFIX + " " + classNames.get(classes[i]) + " .");
            int[] t = new int[body.length + 2];
            t[0] = v.id(Vocabulary.SOS);
            System.arraycopy(body, 0, t, 1, body.length);
            t[t.length - 1] = v.id(Vocabulary.EOS);
            toks[i] = t;
            max = Math.max(max, t.length);
        }
        int[][] padded = new int[classes.length][max];
        int[] eos = new int[classes.length];
        for (int i = 0; i < classes.length; i++) {
            Arrays.fill(padded[i], v.id(Vocabulary.PAD));
            System.arraycopy(toks[i], 0, padded[i], 0, toks[i].length);
            eos[i] = toks[i].length - 1;
        }
        return backbone.encodeText(backbone.embed(padded), eos).features();
    }

    /** The {@code n} nearest words (cosine to E) of each context vector, row by row. */
    public List<List<String>> nearestWords(int n) {
        try (NDScope scope = new NDScope()) {
            int d = backbone.width();
            NDArray flat = context.stopGradient().reshape(-1, d);
            int rows = (int) flat.getShape().get(0);
            int vocab = backbone.vocabulary().size();
            float[] s = PerplexityLoss.cosine(flat, backbone.tokenEmbedding()).toFloatArray();
            List<List<String>> out = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                List<String> words = new ArrayList<>();
                for (int j : PerplexityLoss.topK(s, r, vocab, n)) {
                    words.add(backbone.vocabulary().word(j));
                }
                out.add(words);
            }
            return out;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
