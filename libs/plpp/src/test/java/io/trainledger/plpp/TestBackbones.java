package io.trainledger.plpp;

import ai.djl.Device;

import java.nio.file.Path;

/**
 * Shared fixtures: one short-pretrained backbone per test JVM (cached on disk under target/ so
 * later runs skip pretraining; the cache is an optimisation only).
 */
final class TestBackbones {
    private static PlppEnvironment pretrained;

    private TestBackbones() {}

    /** TinyClip (small size) after a short contrastive pretraining on the procedural world. */
    static synchronized PlppEnvironment pretrained() {
        if (pretrained == null) {
            Path dir = Path.of(System.getProperty("plpp.test.dataDir", "target/plpp-test-data"));
            pretrained = PlppEnvironment.open(new PlppEnvironment.Options(dir, "cpu", TinyClipConfig.small(),
                    BackbonePretrainer.Config.quick()));
        }
        return pretrained;
    }

    static Device cpu() {
        return Device.cpu();
    }
}
