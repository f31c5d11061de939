package io.trainledger.plpp;

import java.util.Locale;
import java.util.Objects;

/**
 * Everything that defines one prompt-learning run. Field names are those of the Avro
 * {@code RunConfig} (schemas/src/main/avro/RunConfig.avsc) so the trainer maps it field by field;
 * {@link #protocol}, {@link #testPerClass} and {@link #nearestWordsEvery} are library-only knobs.
 */
public record PlppConfig(
        PromptMethod method,
        String dataset,
        int shots,
        long seed,
        long steps,
        int batchSize,
        int contextLength,
        String contextInit,
        boolean classSpecificContext,
        double learningRate,
        double momentum,
        double weightDecay,
        long warmupSteps,
        double warmupLearningRate,
        int topK,
        double tauQ,
        double lambdaPpl,
        double lambdaIppl,
        PerplexityAlignment alignment,
        double kgcoopWeight,
        String device,
        long evalEverySteps,
        Protocol protocol,
        int testPerClass,
        long nearestWordsEvery) {

    public PlppConfig {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(alignment, "alignment");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(device, "device");
        if (shots <= 0 || batchSize <= 0 || contextLength <= 0 || testPerClass <= 0) {
            throw new IllegalArgumentException("shots, batchSize, contextLength and testPerClass must be positive");
        }
        if (steps < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("steps and warmupSteps must be >= 0");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learningRate must be > 0");
        }
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be >= 1");
        }
        if (!(tauQ > 0)) {
            throw new IllegalArgumentException("tauQ must be > 0");
        }
        if (contextInit != null && contextInit.isBlank()) {
            contextInit = null;
        }
    }

    /** CoOp's defaults on this world: 16 shots, batch 32, M = 4 from "a photo of a", SGD 0.002. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.method = method; b.dataset = dataset; b.shots = shots; b.seed = seed; b.steps = steps;
        b.batchSize = batchSize; b.contextLength = contextLength; b.contextInit = contextInit;
        b.classSpecificContext = classSpecificContext; b.learningRate = learningRate; b.momentum = momentum;
        b.weightDecay = weightDecay; b.warmupSteps = warmupSteps; b.warmupLearningRate = warmupLearningRate;
        b.topK = topK; b.tauQ = tauQ; b.lambdaPpl = lambdaPpl; b.lambdaIppl = lambdaIppl; b.alignment = alignment;
        b.kgcoopWeight = kgcoopWeight; b.device = device; b.evalEverySteps = evalEverySteps; b.protocol = protocol;
        b.testPerClass = testPerClass; b.nearestWordsEvery = nearestWordsEvery;
        return b;
    }

    /** A stable text form, hashed into the training-state fingerprint. */
    public String canonical() {
        return String.format(Locale.ROOT,
                "%s|%s|%d|%d|%d|%d|%d|%s|%b|%s|%s|%s|%d|%s|%d|%s|%s|%s|%s|%s|%s|%d",
                method, dataset, shots, seed, steps, batchSize, contextLength, contextInit, classSpecificContext,
                learningRate, momentum, weightDecay, warmupSteps, warmupLearningRate, topK, tauQ, lambdaPpl,
                lambdaIppl, alignment, kgcoopWeight, protocol, testPerClass);
    }

    /** Mutable builder with the defaults of RunConfig.avsc. */
    public static final class Builder {
        private PromptMethod method = PromptMethod.PLPP;
        private String dataset = "hue-shift";
        private int shots = 16;
        private long seed = 1;
        private long steps = 800;
        private int batchSize = 32;
        private int contextLength = 4;
        private String contextInit = ProceduralWorld.HANDCRAFTED_PREFIX;
        private boolean classSpecificContext;
        private double learningRate = 0.002;
        private double momentum = 0.9;
        private double weightDecay = 0.0005;
        private long warmupSteps = 16;
        private double warmupLearningRate = 1e-5;
        private int topK = 5;
        private double tauQ = 0.1;
        private double lambdaPpl = 1.0;
        private double lambdaIppl = 1.0;
        private PerplexityAlignment alignment = PerplexityAlignment.NEXT_TOKEN;
        private double kgcoopWeight = 8.0;
        private String device = "auto";
        private long evalEverySteps;
        private Protocol protocol = Protocol.BASE_TO_NEW;
        private int testPerClass = 25;
        private long nearestWordsEvery = 200;

        public Builder method(PromptMethod v) { method = v; return this; }
        public Builder dataset(String v) { dataset = v; return this; }
        public Builder shots(int v) { shots = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder contextLength(int v) { contextLength = v; return this; }
        /** Words to initialise the context from, or null for random N(0, 0.02). */
        public Builder contextInit(String v) { contextInit = v; return this; }
        public Builder classSpecificContext(boolean v) { classSpecificContext = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder warmupSteps(long v) { warmupSteps = v; return this; }
        public Builder warmupLearningRate(double v) { warmupLearningRate = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder tauQ(double v) { tauQ = v; return this; }
        public Builder lambdaPpl(double v) { lambdaPpl = v; return this; }
        public Builder lambdaIppl(double v) { lambdaIppl = v; return this; }
        public Builder alignment(PerplexityAlignment v) { alignment = v; return this; }
        public Builder kgcoopWeight(double v) { kgcoopWeight = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder evalEverySteps(long v) { evalEverySteps = v; return this; }
        public Builder protocol(Protocol v) { protocol = v; return this; }
        public Builder testPerClass(int v) { testPerClass = v; return this; }
        public Builder nearestWordsEvery(long v) { nearestWordsEvery = v; return this; }

        public PlppConfig build() {
            return new PlppConfig(method, dataset, shots, seed, steps, batchSize, contextLength, contextInit,
                    classSpecificContext, learningRate, momentum, weightDecay, warmupSteps, warmupLearningRate, topK,
                    tauQ, lambdaPpl, lambdaIppl, alignment, kgcoopWeight, device, evalEverySteps, protocol,
                    testPerClass, nearestWordsEvery);
        }
    }
}
