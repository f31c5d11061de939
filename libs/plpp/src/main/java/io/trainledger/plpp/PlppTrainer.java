package io.trainledger.plpp;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The step-able prompt-learning loop: CoOp / KgCoOp / PLPP / PLPP+KgCoOp on a frozen backbone.
 * SGD with momentum and weight decay (PyTorch semantics), constant warm-up then cosine schedule
 * (as CoOp). Each {@link #step()} runs inside an {@link NDScope} so memory stays flat; between two
 * steps the caller may take a {@link #snapshot()}, evaluate, or stop. Deterministic given the seed
 * (bitwise on CPU with a fixed libtorch thread count).
 */
public final class PlppTrainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlppTrainer.class);

    private final Backbone backbone;
    private final TaskData task;
    private final PlppConfig config;
    private final PromptLearner learner;
    private final NDManager manager;
    private final NDArray momentumBuffer;
    private final NDArray handcrafted; // normalised [C_train, F], KgCoOp anchor
    private final int[] trainClasses;
    private final int[] trainLabels;
    private final int stepsPerEpoch;
    private final int batch;
    private final String fingerprint;
    private final AtomicBoolean snapshotRequested = new AtomicBoolean();
    private final float logitScale;

    private final SplitMix64 rng;
    private long step;
    private int epoch;
    private int positionInEpoch;
    private int[] permutation;

    private PlppTrainer(Backbone backbone, TaskData task, PlppConfig config) {
        this.backbone = backbone;
        this.task = task;
        this.config = config;
        this.trainClasses = task.trainClasses();
        this.trainLabels = task.trainLabels();
        this.learner = new PromptLearner(backbone, task.classNames(), trainClasses, config);
        this.manager = backbone.manager().newSubManager();
        this.momentumBuffer = manager.zeros(learner.context().getShape());
        this.batch = Math.min(config.batchSize(), task.trainSize());
        this.stepsPerEpoch = Math.max(1, task.trainSize() / batch);
        this.logitScale = backbone.logitScale();
        NDArray hc;
        try (NDScope scope = new NDScope()) {
            hc = PromptLearner.handcraftedFeatures(backbone, task.classNames(), trainClasses).normalize(2, -1, 1e-12);
            NDScope.unregister(hc);
        }
        hc.attach(manager);
        this.handcrafted = hc;
        this.rng = SplitMix64.of(config.seed(), 11);
        this.fingerprint = fingerprint(config, backbone, task);
        LOG.info("run {} seed {}: {} on {} ({} train images, {} classes, batch {}, {} steps/epoch, device {})",
                config.method(), config.seed(), config.dataset(), config.protocol(), task.trainSize(), trainClasses.length,
                batch, stepsPerEpoch, backbone.device());
    }

    /** A new run from step 0. */
    public static PlppTrainer create(Backbone backbone, TaskData task, PlppConfig config) {
        try (GradMode off = GradMode.off()) {
            return new PlppTrainer(backbone, task, config);
        }
    }

    /** Continues a run exactly where {@code state} was taken; config, backbone and task must be the same. */
    public static PlppTrainer restore(Backbone backbone, TaskData task, PlppConfig config, TrainingState state) {
        try (GradMode off = GradMode.off()) {
            return restoreWithoutGrad(backbone, task, config, state);
        }
    }

    private static PlppTrainer restoreWithoutGrad(Backbone backbone, TaskData task, PlppConfig config, TrainingState state) {
        PlppTrainer t = new PlppTrainer(backbone, task, config);
        if (!t.fingerprint.equals(state.fingerprint())) {
            t.close();
            throw new IllegalArgumentException("training state " + state.fingerprint()
                    + " belongs to another config/backbone/task than " + t.fingerprint);
        }
        if (!Arrays.equals(state.contextShape(), t.learner.context().getShape().getShape())) {
            t.close();
            throw new IllegalArgumentException("context shape mismatch");
        }
        copyInto(t.learner.context(), state.context());
        copyInto(t.momentumBuffer, state.momentum());
        t.step = state.step();
        t.epoch = state.epoch();
        t.positionInEpoch = state.positionInEpoch();
        t.permutation = state.permutation().length == 0 ? null : state.permutation().clone();
        t.rng.setState(state.rngState());
        LOG.info("run {} seed {} restored at step {}", config.method(), config.seed(), t.step);
        return t;
    }

    /**
     * Copies values into an existing, finite array in place with arithmetic (target = target * 0 +
     * values), which always writes into the target's own storage. {@code NDArray.set(float[])} and
     * {@code set(NDIndex, NDArray)} are not used: on the PyTorch engine they were seen to leave the
     * target reading freed memory (NaN appearing nondeterministically after a restore).
     */
    static void copyInto(NDArray target, float[] values) {
        try (NDScope scope = new NDScope()) {
            NDArray src = target.getManager().create(values, target.getShape()).toType(target.getDataType(), true);
            target.muli(0f).addi(src);
        }
    }

    private static String fingerprint(PlppConfig c, Backbone b, TaskData t) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((c.canonical() + "#" + b.fingerprint() + "#" + t.key()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public PlppConfig config() {
        return config;
    }

    public PromptLearner learner() {
        return learner;
    }

    /** Steps done so far (the index of the next step). */
    public long stepsDone() {
        return step;
    }

    public long totalSteps() {
        return config.method().trains() ? config.steps() : 0;
    }

    public boolean done() {
        return this.step >= totalSteps();
    }

    /** Learning rate of a step: warm-up constant, then cosine from learningRate to 0 over the remaining steps. */
    public double learningRate(long s) {
        if (s < config.warmupSteps()) {
            return config.warmupLearningRate();
        }
        long span = Math.max(1, config.steps() - config.warmupSteps());
        double t = (double) (s - config.warmupSteps()) / span;
        return config.learningRate() * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    /** Asks for a snapshot at the next step boundary (thread-safe); see {@link #pollSnapshot()}. */
    public void requestSnapshot() {
        snapshotRequested.set(true);
    }

    /** The requested snapshot, if one was requested since the last poll. */
    public Optional<TrainingState> pollSnapshot() {
        return snapshotRequested.getAndSet(false) ? Optional.of(snapshot()) : Optional.empty();
    }

    /** Runs steps until done or the listener asks to stop; delivers requested snapshots at step boundaries. */
    public void run(StepListener listener) {
        while (!done() && !listener.stopRequested()) {
            StepResult r = step();
            listener.onStep(r);
            pollSnapshot().ifPresent(listener::onSnapshot);
        }
        pollSnapshot().ifPresent(listener::onSnapshot);
    }

    /** Runs one optimizer step (on any thread: gradient mode is switched here, see {@link GradMode}). */
    public StepResult step() {
        try (GradMode off = GradMode.off()) {
            return stepWithoutGrad();
        }
    }

    private StepResult stepWithoutGrad() {
        if (done()) {
            throw new IllegalStateException("run is complete (" + step + " steps)");
        }
        long t0 = System.nanoTime();
        if (positionInEpoch == 0) {
            permutation = rng.permutation(task.trainSize());
        }
        int[] idx = Arrays.copyOfRange(permutation, positionInEpoch * batch, positionInEpoch * batch + batch);
        double lr = learningRate(step);
        PromptMethod method = config.method();
        float[] facts;
        try (NDScope scope = new NDScope()) {
            long[] li = new long[idx.length];
            float[] onehot = new float[idx.length * trainClasses.length];
            for (int i = 0; i < idx.length; i++) {
                li[i] = idx[i];
                onehot[i * trainClasses.length + trainLabels[idx[i]]] = 1f;
            }
            NDArray feats = task.trainFeatures().get(TinyClip.owned(manager.create(li)));
            NDArray target = TinyClip.owned(manager.create(onehot, new Shape(idx.length, trainClasses.length)));
            NDArray nan = TinyClip.owned(manager.create(Float.NaN));
            // A fresh leaf per step: its gradient is created by this step's backward pass and closed
            // with the scope, so no gradient buffer is carried (or zeroed) across steps.
            NDArray leaf = learner.context().duplicate();
            leaf.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Losses l = losses(leaf, feats, target, nan);
                gc.backward(l.loss());
                NDArray correct = l.logits().argMax(1).eq(target.argMax(1)).toType(DataType.FLOAT32, false).sum();
                facts = NDArrays.stack(new NDList(l.loss(), l.ce(), l.ppl().stopGradient(), l.ippl().stopGradient(),
                                l.kg().stopGradient(), correct))
                        .toType(DataType.FLOAT32, false).toFloatArray();
            }
            sgd(lr, leaf.getGradient());
        }
        StepResult r = new StepResult(step, epoch, System.nanoTime() - t0, facts[0], facts[1], facts[2], facts[3],
                facts[4], facts[5] / idx.length, idx.length, lr);
        step++;
        positionInEpoch++;
        if (positionInEpoch >= stepsPerEpoch) {
            positionInEpoch = 0;
            epoch++;
        }
        if (config.nearestWordsEvery() > 0 && (step % config.nearestWordsEvery() == 0 || done())) {
            LOG.info("run {} seed {} step {} loss {} nearest words of the context: {}", method, config.seed(), step,
                    String.format("%.4f", r.loss()), learner.nearestWords(3));
        }
        return r;
    }

    /** The step's loss terms (unweighted) and their weighted sum; NaN scalars for terms the method does not use. */
    private record Losses(NDArray loss, NDArray ce, NDArray kg, NDArray ppl, NDArray ippl, NDArray logits) {}

    private Losses losses(NDArray leaf, NDArray feats, NDArray target, NDArray nan) {
        PromptMethod method = config.method();
        Backbone.TextOutput out = learner.encode(trainClasses, null, leaf);
        NDArray text = out.features().normalize(2, -1, 1e-12);
        NDArray logits = TinyClip.mul(feats.matMul(text.transpose()), logitScale);
        NDArray ce = logits.logSoftmax(-1).mul(target).sum(new int[] {1}).mean().neg();
        NDArray loss = ce;
        NDArray kg = nan;
        if (method.usesKnowledgeGuidance()) {
            kg = text.mul(handcrafted).sum(new int[] {1}).mean().neg().add(1f);
            loss = loss.add(TinyClip.mul(kg, (float) config.kgcoopWeight()));
        }
        NDArray ppl = nan;
        NDArray ippl = nan;
        if (method.usesPerplexity()) {
            NDArray[] va = contextAndAligned(out.hidden(), leaf);
            PerplexityLoss.Terms terms = PerplexityLoss.compute(va[0], va[1], backbone.tokenEmbedding(),
                    config.topK(), config.tauQ(), true, true);
            ppl = terms.ppl();
            ippl = terms.ippl();
            if (config.lambdaPpl() != 0) {
                loss = loss.add(TinyClip.mul(ppl, (float) config.lambdaPpl()));
            }
            if (config.lambdaIppl() != 0) {
                loss = loss.add(TinyClip.mul(ippl, (float) config.lambdaIppl()));
            }
        }
        return new Losses(loss, ce, kg, ppl, ippl, logits);
    }

    /**
     * Diagnostics: the gradient with respect to the context of each weighted loss term at the
     * current context, on the whole few-shot training set (keys "ce", "kg" = w L_kg, "ppl" =
     * lambda_ppl L_ppl, "ippl" = lambda_ippl L_ippl; only the terms the method uses). Changes nothing.
     */
    public Map<String, float[]> termGradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        PromptMethod method = config.method();
        List<String> terms = new java.util.ArrayList<>(List.of("ce"));
        if (method.usesKnowledgeGuidance()) {
            terms.add("kg");
        }
        if (method.usesPerplexity()) {
            terms.add("ppl");
            terms.add("ippl");
        }
        try (GradMode off = GradMode.off()) {
            for (String term : terms) {
                try (NDScope scope = new NDScope()) {
                    int n = task.trainSize();
                    long[] li = new long[n];
                    float[] onehot = new float[n * trainClasses.length];
                    for (int i = 0; i < n; i++) {
                        li[i] = i;
                        onehot[i * trainClasses.length + trainLabels[i]] = 1f;
                    }
                    NDArray feats = task.trainFeatures().get(TinyClip.owned(manager.create(li)));
                    NDArray target = TinyClip.owned(manager.create(onehot, new Shape(n, trainClasses.length)));
                    NDArray nan = TinyClip.owned(manager.create(Float.NaN));
                    NDArray leaf = learner.context().duplicate();
                    leaf.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        Losses l = losses(leaf, feats, target, nan);
                        NDArray t = switch (term) {
                            case "ce" -> l.ce();
                            case "kg" -> TinyClip.mul(l.kg(), (float) config.kgcoopWeight());
                            case "ppl" -> TinyClip.mul(l.ppl(), (float) config.lambdaPpl());
                            default -> TinyClip.mul(l.ippl(), (float) config.lambdaIppl());
                        };
                        gc.backward(t);
                    }
                    out.put(term, leaf.getGradient().toFloatArray());
                }
            }
        }
        return out;
    }

    /**
     * L_ppl and L_ippl of the current context (independent of the batch), with the graph recorded
     * when called inside a GradientCollector; used by the gradient-check tests.
     */
    PerplexityLoss.Terms perplexityTerms(PerplexityLoss.Teachers fixedTeachers) {
        Backbone.TextOutput out = learner.encode(trainClasses, null);
        NDArray[] va = contextAndAligned(out.hidden(), learner.context());
        if (fixedTeachers != null) {
            return PerplexityLoss.withTeachers(va[0], va[1], backbone.tokenEmbedding(), config.tauQ(), fixedTeachers);
        }
        return PerplexityLoss.compute(va[0], va[1], backbone.tokenEmbedding(), config.topK(), config.tauQ(), true, true);
    }

    /** The detached teachers at the current context (gradient-check tests hold them fixed). */
    PerplexityLoss.Teachers perplexityTeachers() {
        try (NDScope scope = new NDScope()) {
            Backbone.TextOutput out = learner.encode(trainClasses, null);
            NDArray[] va = contextAndAligned(out.hidden(), learner.context());
            return PerplexityLoss.teachers(va[0], va[1], backbone.tokenEmbedding(), config.topK(), config.tauQ());
        }
    }

    /** Context vectors [R, D] and the hidden states aligned with them [R, D], per the alignment knob. */
    NDArray[] contextAndAligned(NDArray hidden, NDArray ctx) {
        int m = learner.contextLength();
        int d = backbone.width();
        int from = config.alignment() == PerplexityAlignment.NEXT_TOKEN ? 0 : 1;
        if (!learner.classSpecific()) {
            // Causal mask + class name after the context: these states are identical for every class.
            NDArray h = hidden.get("0, " + from + ":" + (from + m) + ", :");
            return new NDArray[] {ctx, h};
        }
        NDArray h = hidden.get(":, " + from + ":" + (from + m) + ", :").reshape(-1, d);
        return new NDArray[] {ctx.reshape(-1, d), h};
    }

    private void sgd(double lr, NDArray g) {
        NDArray p = learner.context();
        NDArray d = config.weightDecay() != 0 ? g.add(p.mul((float) config.weightDecay())) : g;
        momentumBuffer.muli((float) config.momentum()).addi(d);
        p.subi(momentumBuffer.mul((float) lr));
    }

    /** The whole training state at this step boundary. */
    public TrainingState snapshot() {
        NDArray ctx = learner.context();
        return new TrainingState(fingerprint, step, epoch, positionInEpoch, rng.state(),
                permutation == null ? new int[0] : permutation.clone(), ctx.getShape().getShape(), ctx.toFloatArray(),
                momentumBuffer.toFloatArray());
    }

    /** Accuracy on every test split of the task with the current prompts (or the hand-written one for ZERO_SHOT). */
    public EvaluationResult evaluate() {
        Map<String, Double> acc = new LinkedHashMap<>();
        try (GradMode off = GradMode.off()) {
            for (TaskData.Split split : task.splits()) {
                acc.put(split.name(), accuracy(split));
            }
        }
        return new EvaluationResult(config.method(), step, acc);
    }

    private double accuracy(TaskData.Split split) {
        try (NDScope scope = new NDScope()) {
            NDArray text;
            if (config.method() == PromptMethod.ZERO_SHOT) {
                text = PromptLearner.handcraftedFeatures(backbone, task.classNames(), split.classes());
            } else {
                int[] ctxIndex = new int[split.classes().length];
                List<Integer> train = Arrays.stream(trainClasses).boxed().toList();
                for (int i = 0; i < ctxIndex.length; i++) {
                    ctxIndex[i] = train.indexOf(split.classes()[i]);
                }
                text = learner.encode(split.classes(), ctxIndex).features();
            }
            text = text.normalize(2, -1, 1e-12);
            float[] pred = split.features().matMul(text.transpose()).argMax(1).toType(DataType.FLOAT32, false).toFloatArray();
            int correct = 0;
            for (int i = 0; i < pred.length; i++) {
                if ((int) pred[i] == split.labels()[i]) {
                    correct++;
                }
            }
            return (double) correct / pred.length;
        }
    }

    /** Nearest words of each context vector (row by row). */
    public List<List<String>> nearestWords(int n) {
        try (GradMode off = GradMode.off()) {
            return learner.nearestWords(n);
        }
    }

    @Override
    public void close() {
        learner.close();
        manager.close();
    }
}
