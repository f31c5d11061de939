package io.trainledger.trainer;

import io.trainledger.events.RunConfig;
import io.trainledger.plpp.PerplexityAlignment;
import io.trainledger.plpp.PlppConfig;
import io.trainledger.plpp.PromptMethod;

/** Maps the Avro {@link RunConfig} of a run onto libs/plpp's {@link PlppConfig}, field by field. */
public final class RunConfigs {
    private RunConfigs() {
    }

    /**
     * The library config of a run. {@code testPerClass} is a trainer setting (not part of the run's contract): it
     * must stay the same across the attempts of a run, because it enters the training-state fingerprint.
     */
    public static PlppConfig toPlpp(RunConfig c, int testPerClass) {
        return PlppConfig.builder()
                .method(PromptMethod.valueOf(c.getMethod().name()))
                .dataset(c.getDataset())
                .shots(c.getShots())
                .seed(c.getSeed())
                .steps(c.getSteps())
                .batchSize(c.getBatchSize())
                .contextLength(c.getContextLength())
                .contextInit(c.getContextInit())
                .classSpecificContext(c.getClassSpecificContext())
                .learningRate(c.getLearningRate())
                .momentum(c.getMomentum())
                .weightDecay(c.getWeightDecay())
                .warmupSteps(c.getWarmupSteps())
                .warmupLearningRate(c.getWarmupLearningRate())
                .topK(c.getTopK())
                .tauQ(c.getTauQ())
                .lambdaPpl(c.getLambdaPpl())
                .lambdaIppl(c.getLambdaIppl())
                .alignment(PerplexityAlignment.valueOf(c.getAlignment().name()))
                .kgcoopWeight(c.getKgcoopWeight())
                .device(c.getDevice())
                .evalEverySteps(c.getEvalEverySteps())
                .testPerClass(testPerClass)
                .build();
    }
}
