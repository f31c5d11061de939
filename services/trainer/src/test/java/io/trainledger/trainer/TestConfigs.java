package io.trainledger.trainer;

import io.trainledger.commands.SubmitRun;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.PerplexityAlignment;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;

/** Small run configurations for tests. */
final class TestConfigs {
    private TestConfigs() {
    }

    static RunConfig.Builder small(PromptMethod method, long steps, int interval) {
        return RunConfig.newBuilder()
                .setMethod(method)
                .setDataset("hue-shift")
                .setShots(2)
                .setSeed(7)
                .setSteps(steps)
                .setBatchSize(16)
                .setContextLength(4)
                .setContextInit("a photo of a")
                .setDevice("cpu")
                // Set explicitly: an enum default is resolved by Avro through its own class loader, which under
                // @QuarkusTest is not the one of the generated classes.
                .setAlignment(PerplexityAlignment.NEXT_TOKEN)
                .setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(interval).build());
    }

    static SubmitRun submit(RunConfig config) {
        return SubmitRun.newBuilder().setConfig(config).build();
    }
}
