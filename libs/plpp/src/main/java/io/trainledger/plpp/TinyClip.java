package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in CLIP-shaped backbone: token + positional embedding, pre-LN causal transformer
 * blocks (multi-head self-attention with a causal mask, GELU MLP x4), final LayerNorm, EOS
 * projection; a 4-layer CNN image encoder with a linear projection; a learned logit scale. Written
 * with DJL's functional layers ({@link Linear#linear}, {@link LayerNorm#layerNorm},
 * {@link Conv2d#conv2d}) and NDArray ops, so that parameters are plain named NDArrays (simple to
 * freeze, checkpoint and fingerprint). DJL's TransformerEncoderBlock is not used: it has BatchNorm
 * and no causal mask.
 */
public final class TinyClip implements Backbone {
    private final TinyClipConfig config;
    private final Vocabulary vocabulary;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final NDArray causalMask;
    private final String fingerprint;

    private TinyClip(TinyClipConfig config, Vocabulary vocabulary, NDManager manager, Map<String, NDArray> weights) {
        this.config = config;
        this.vocabulary = vocabulary;
        this.manager = manager;
        this.params.putAll(weights);
        int l = config.maxLength();
        float[] mask = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = i + 1; j < l; j++) {
                mask[i * l + j] = -1e9f;
            }
        }
        this.causalMask = owned(manager.create(mask, new Shape(l, l)));
        this.fingerprint = computeFingerprint();
    }

    /** A freshly initialised (untrained) TinyClip, deterministic in the seed. */
    public static TinyClip initialise(TinyClipConfig c, Vocabulary vocab, NDManager parent, Device device, long seed) {
        NDManager m = parent.newSubManager(device);
        SplitMix64 r = SplitMix64.of(seed, 7);
        Map<String, NDArray> p = new LinkedHashMap<>();
        int d = c.width();
        p.put("tok", normal(m, r, Double.parseDouble(System.getProperty("plpp.pretrain.tokStd", "0.02")), vocab.size(), d));
        p.put("pos", normal(m, r, 0.01, c.maxLength(), d));
        for (int i = 0; i < c.layers(); i++) {
            String b = "block" + i + ".";
            p.put(b + "ln1.g", m.ones(new Shape(d)));
            p.put(b + "ln1.b", m.zeros(new Shape(d)));
            p.put(b + "qkv.w", normal(m, r, 0.02, 3 * d, d));
            p.put(b + "qkv.b", m.zeros(new Shape(3 * d)));
            p.put(b + "out.w", normal(m, r, 0.02 / Math.sqrt(2 * c.layers()), d, d));
            p.put(b + "out.b", m.zeros(new Shape(d)));
            p.put(b + "ln2.g", m.ones(new Shape(d)));
            p.put(b + "ln2.b", m.zeros(new Shape(d)));
            p.put(b + "fc1.w", normal(m, r, 0.02, 4 * d, d));
            p.put(b + "fc1.b", m.zeros(new Shape(4 * d)));
            p.put(b + "fc2.w", normal(m, r, 0.02 / Math.sqrt(2 * c.layers()), d, 4 * d));
            p.put(b + "fc2.b", m.zeros(new Shape(d)));
        }
        p.put("lnf.g", m.ones(new Shape(d)));
        p.put("lnf.b", m.zeros(new Shape(d)));
        p.put("tproj", normal(m, r, 1.0 / Math.sqrt(d), d, c.featureDim()));
        int ch = c.imageChannels();
        int[][] convs = imageConvs(ch);
        for (int i = 0; i < convs.length; i++) {
            int out = convs[i][0];
            int in = convs[i][1];
            p.put("conv" + i + ".w", normal(m, r, Math.sqrt(2.0 / (in * 9)), out, in, 3, 3));
            p.put("conv" + i + ".b", m.zeros(new Shape(out)));
        }
        p.put("iln.g", m.ones(new Shape(8 * ch)));
        p.put("iln.b", m.zeros(new Shape(8 * ch)));
        p.put("iproj.w", normal(m, r, 1.0 / Math.sqrt(8 * ch), c.featureDim(), 8 * ch));
        p.put("iproj.b", m.zeros(new Shape(c.featureDim())));
        p.put("logit_scale", owned(m.create(new float[] {(float) Math.log(1 / 0.07)}, new Shape(1))));
        return new TinyClip(c, vocab, m, p);
    }

    /** Restores a TinyClip from {@link #encodeWeights()} bytes. */
    public static TinyClip decode(TinyClipConfig c, Vocabulary vocab, NDManager parent, Device device, byte[] bytes) {
        NDManager m = parent.newSubManager(device);
        NDList list = NDList.decode(m, bytes);
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (NDArray a : list) {
            p.put(a.getName(), owned(a.toDevice(device, false)));
        }
        return new TinyClip(c, vocab, m, p);
    }

    private static NDArray normal(NDManager m, SplitMix64 r, double std, long... shape) {
        Shape s = new Shape(shape);
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * r.nextGaussian());
        }
        return owned(m.create(v, s));
    }

    /**
     * A copy in libtorch-allocated (64-byte aligned) memory, closing the original. Arrays created
     * from Java buffers may be unaligned (reductions/BLAS over them then round differently from one
     * process to the next) and may keep pointing at a Java direct buffer; every array created from
     * Java data goes through this right away.
     */
    static NDArray owned(NDArray a) {
        NDArray c = a.duplicate();
        if (a.getName() != null) {
            c.setName(a.getName());
        }
        a.close();
        return c;
    }

    /**
     * {@code a * n} with the scalar in libtorch-owned memory. Use this, not {@code NDArray.mul(Number)},
     * for every product that may be on the autograd path: DJL's PyTorch engine implements
     * {@code mul(Number)} as {@code try (NDArray s = manager.create(n)) { return mul(s); }}, and
     * {@code create} wraps a Java direct ByteBuffer with {@code torch::from_blob} (no copy, no
     * deleter). Autograd saves that scalar for the backward pass ({@code grad_a = grad * n}), but the
     * Java handle, the only thing keeping the buffer alive, is closed right away, so the buffer is
     * freed whenever the GC runs: the backward pass then reads freed memory (a wrong or NaN gradient
     * with a correct forward value, differing from one JVM to the next). The scalar made here is a
     * libtorch copy whose storage the saved tensor keeps alive; closing the Java handle is safe.
     */
    static NDArray mul(NDArray a, Number n) {
        try (NDArray s = owned(a.getManager().create(n))) {
            return a.mul(s);
        }
    }

    /** {@code a / n}; see {@link #mul(NDArray, Number)} (the quotient's backward pass saves the divisor too). */
    static NDArray div(NDArray a, Number n) {
        try (NDArray s = owned(a.getManager().create(n))) {
            return a.div(s);
        }
    }

    /** Serialises all weights (names kept) with DJL's NDList encoding: an exact round trip. */
    public byte[] encodeWeights() {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray a = e.getValue();
            a.setName(e.getKey());
            list.add(a);
        }
        return list.encode();
    }

    public TinyClipConfig config() {
        return config;
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int width() {
        return config.width();
    }

    @Override
    public int featureDim() {
        return config.featureDim();
    }

    @Override
    public int maxLength() {
        return config.maxLength();
    }

    @Override
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public NDArray tokenEmbedding() {
        return params.get("tok");
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    @Override
    public NDArray embed(int[][] tokens) {
        int b = tokens.length;
        int l = tokens[0].length;
        long[] flat = new long[b * l];
        for (int i = 0; i < b; i++) {
            if (tokens[i].length != l) {
                throw new IllegalArgumentException("rows must be padded to the same length");
            }
            for (int j = 0; j < l; j++) {
                flat[i * l + j] = tokens[i][j];
            }
        }
        NDArray idx = owned(manager.create(flat));
        return tokenEmbedding().get(idx).reshape(b, l, config.width());
    }

    @Override
    public TextOutput encodeText(NDArray embeddings, int[] eosIndex) {
        Shape s = embeddings.getShape();
        int b = (int) s.get(0);
        int l = (int) s.get(1);
        int d = config.width();
        int h = config.heads();
        int dh = d / h;
        NDArray x = embeddings.add(params.get("pos").get("0:" + l));
        NDArray mask = causalMask.get("0:" + l + ", 0:" + l);
        for (int i = 0; i < config.layers(); i++) {
            String p = "block" + i + ".";
            NDArray a = ln(x, p + "ln1");
            NDArray qkv = Linear.linear(a, params.get(p + "qkv.w"), params.get(p + "qkv.b")).singletonOrThrow();
            qkv = qkv.reshape(b, l, 3, h, dh).transpose(2, 0, 3, 1, 4); // [3, B, H, L, dh]
            NDArray q = qkv.get(0);
            NDArray k = qkv.get(1);
            NDArray v = qkv.get(2);
            NDArray att = mul(q.matMul(k.transpose(0, 1, 3, 2)), (float) (1.0 / Math.sqrt(dh))).add(mask).softmax(-1);
            NDArray o = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, l, d);
            x = x.add(Linear.linear(o, params.get(p + "out.w"), params.get(p + "out.b")).singletonOrThrow());
            NDArray m = ln(x, p + "ln2");
            m = Activation.gelu(Linear.linear(m, params.get(p + "fc1.w"), params.get(p + "fc1.b")).singletonOrThrow());
            x = x.add(Linear.linear(m, params.get(p + "fc2.w"), params.get(p + "fc2.b")).singletonOrThrow());
        }
        NDArray hidden = ln(x, "lnf");
        float[] onehot = new float[b * l];
        for (int i = 0; i < b; i++) {
            onehot[i * l + eosIndex[i]] = 1f;
        }
        NDArray sel = owned(manager.create(onehot, new Shape(b, l, 1)));
        NDArray eos = hidden.mul(sel).sum(new int[] {1});
        NDArray features = eos.matMul(params.get("tproj"));
        return new TextOutput(hidden, features);
    }

    private NDArray ln(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(config.width()), params.get(name + ".g"), params.get(name + ".b"), 1e-5f)
                .singletonOrThrow();
    }

    /** {out, in} channels of the four 3x3 convolutions (strides 1, 2, 1, 2: 20x20 -> 10x10 -> 5x5). */
    private static int[][] imageConvs(int ch) {
        return new int[][] {{ch, 3}, {2 * ch, ch}, {2 * ch, 2 * ch}, {4 * ch, 2 * ch}};
    }

    @Override
    public NDArray encodeImages(NDArray images) {
        NDArray x = images.sub(0.5f);
        int[] strides = {1, 2, 1, 2};
        for (int i = 0; i < 4; i++) {
            x = Conv2d.conv2d(x, params.get("conv" + i + ".w"), params.get("conv" + i + ".b"),
                            new Shape(strides[i], strides[i]), new Shape(1, 1))
                    .singletonOrThrow();
            if (i > 0) {
                x = mapNorm(x);
            }
            x = Activation.relu(x);
        }
        // Mean and max over positions: the max keeps local shape evidence that averaging dilutes.
        NDArray flat = x.reshape(x.getShape().get(0), x.getShape().get(1), -1);
        NDArray pooled = flat.mean(new int[] {2}).concat(flat.max(new int[] {2}), 1);
        pooled = LayerNorm.layerNorm(pooled, new Shape(8L * config.imageChannels()), params.get("iln.g"),
                        params.get("iln.b"), 1e-5f)
                .singletonOrThrow();
        return Linear.linear(pooled, params.get("iproj.w"), params.get("iproj.b")).singletonOrThrow();
    }

    /** Per-sample normalisation of a feature map over (C, H, W) without affine parameters (GroupNorm with one group). */
    private static NDArray mapNorm(NDArray x) {
        Shape s = x.getShape();
        NDArray f = x.reshape(s.get(0), -1);
        NDArray mean = f.mean(new int[] {1}, true);
        NDArray centred = f.sub(mean);
        NDArray var = centred.square().mean(new int[] {1}, true);
        return centred.div(var.add(1e-5f).sqrt()).reshape(s);
    }

    /** The raw (log) logit scale parameter; trained during pretraining only. */
    NDArray logLogitScale() {
        return params.get("logit_scale");
    }

    @Override
    public float logitScale() {
        return (float) Math.min(100.0, Math.exp(params.get("logit_scale").toType(DataType.FLOAT32, false).toFloatArray()[0]));
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    private String computeFingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(config.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                float[] v = e.getValue().toType(DataType.FLOAT32, false).toFloatArray();
                ByteBuffer bb = ByteBuffer.allocate(v.length * 4);
                bb.asFloatBuffer().put(v);
                md.update(bb.array());
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of this backbone with every parameter cast to the given type (float64 for gradient checks). */
    public TinyClip withDataType(DataType type) {
        NDManager m = manager.getParentManager().newSubManager(manager.getDevice());
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray c = e.getValue().toType(type, true);
            c.attach(m);
            p.put(e.getKey(), c);
        }
        return new TinyClip(config, vocabulary, m, p);
    }

    /** Sets requires-grad on every parameter (pretraining only; prompt learning keeps them frozen). */
    void setTrainable(boolean trainable) {
        for (NDArray a : params.values()) {
            a.setRequiresGradient(trainable);
        }
    }

    /** Concatenation helper used by callers that build prompts. */
    static NDArray concat(NDList parts, int axis) {
        return NDArrays.concat(parts, axis);
    }

    @Override
    public void close() {
        manager.close();
    }
}
