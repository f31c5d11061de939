package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import java.nio.file.Path;

/**
 * The long-lived part of PLPP work in one process: the device, the procedural world and the
 * frozen pretrained backbone. Open once (a service start), then build tasks and trainers from it.
 *
 * <pre>{@code
 * try (PlppEnvironment env = PlppEnvironment.open(PlppEnvironment.Options.standard(dataDir, "auto"));
 *      TaskData task = env.task(config);
 *      PlppTrainer trainer = env.trainer(task, config)) {
 *     while (!trainer.done()) { StepResult r = trainer.step(); ... }
 *     EvaluationResult e = trainer.evaluate();
 * }
 * }</pre>
 */
public final class PlppEnvironment implements AutoCloseable {
    /** Where to cache, which device, which backbone and how to pretrain it. */
    public record Options(Path dataDir, String device, TinyClipConfig backbone, BackbonePretrainer.Config pretrain) {
        /** The benchmark backbone (about 190k parameters, 1,200 pretraining steps). */
        public static Options standard(Path dataDir, String device) {
            return new Options(dataDir, device, TinyClipConfig.standard(), BackbonePretrainer.Config.standard());
        }
    }

    private final NDManager root;
    private final Device device;
    private final ProceduralWorld world;
    private final Backbone backbone;

    private PlppEnvironment(NDManager root, Device device, ProceduralWorld world, Backbone backbone) {
        this.root = root;
        this.device = device;
        this.world = world;
        this.backbone = backbone;
    }

    public static PlppEnvironment open(Options options) {
        Device device = Devices.select(options.device());
        NDManager root = NDManager.newBaseManager(device);
        ProceduralWorld world = new ProceduralWorld(options.backbone().imageSize());
        TinyClip clip;
        try (GradMode off = GradMode.off()) {
            clip = BackboneStore.loadOrPretrain(options.dataDir(), world, options.backbone(), options.pretrain(), root, device);
        }
        return new PlppEnvironment(root, device, world, clip);
    }

    /** An environment around a backbone built elsewhere (e.g. a TorchScript CLIP); it takes ownership. */
    public static PlppEnvironment of(ProceduralWorld world, Backbone backbone) {
        return new PlppEnvironment(backbone.manager(), backbone.device(), world, backbone);
    }

    public Device device() {
        return device;
    }

    public ProceduralWorld world() {
        return world;
    }

    public Backbone backbone() {
        return backbone;
    }

    /** The task (class split, few-shot training set, test splits) that a config runs on. */
    public TaskData task(PlppConfig config) {
        return TaskData.build(world, backbone, config.dataset(), config.protocol(), config.shots(), config.seed(),
                config.testPerClass());
    }

    public PlppTrainer trainer(TaskData task, PlppConfig config) {
        return PlppTrainer.create(backbone, task, config);
    }

    public PlppTrainer restore(TaskData task, PlppConfig config, TrainingState state) {
        return PlppTrainer.restore(backbone, task, config, state);
    }

    @Override
    public void close() {
        backbone.close();
        root.close();
    }
}
