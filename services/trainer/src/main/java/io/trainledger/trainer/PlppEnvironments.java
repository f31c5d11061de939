package io.trainledger.trainer;

import ai.djl.Device;
import io.trainledger.plpp.BackbonePretrainer;
import io.trainledger.plpp.Devices;
import io.trainledger.plpp.PlppEnvironment;
import io.trainledger.plpp.TinyClipConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One open {@link PlppEnvironment} (device, world, frozen pretrained backbone) per device, shared by every run on
 * it. The backbone is pretrained once and cached under {@code <data-dir>/backbones}. DJL is put offline and its
 * thread count fixed here, before the engine loads.
 */
@ApplicationScoped
public class PlppEnvironments {
    private static final Logger LOG = Logger.getLogger(PlppEnvironments.class);
    private final TrainerConfig config;
    private final Map<String, PlppEnvironment> open = new HashMap<>();
    private volatile boolean warm;
    private volatile String warmUpError;

    PlppEnvironments(TrainerConfig config) {
        this.config = config;
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(config.torchThreads()));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** The environment of a run's device spec (auto, cpu, gpu, gpu:N), opened on first use. */
    public synchronized PlppEnvironment forDevice(String spec) {
        Device device = Devices.select(spec);
        return open.computeIfAbsent(device.toString(), key -> {
            long t0 = System.nanoTime();
            PlppEnvironment env;
            // Opening may pretrain the backbone, which collects gradients: not while a run steps (see StepLock).
            StepLock.get().lock();
            try {
                env = PlppEnvironment.open(options(spec));
            } finally {
                StepLock.get().unlock();
            }
            LOG.infof("PLPP environment on %s open in %d ms (backbone %s)", key, (System.nanoTime() - t0) / 1_000_000,
                    config.backbone().size());
            return env;
        });
    }

    /** Opens the configured warm-up device's environment (called on a background thread at start). */
    public void warmUp() {
        try {
            forDevice(config.backbone().warmUpDevice());
            warm = true;
        } catch (RuntimeException e) {
            warmUpError = e.toString();
            LOG.error("PLPP warm-up failed", e);
        }
    }

    public boolean warm() {
        return warm;
    }

    public String warmUpError() {
        return warmUpError;
    }

    PlppEnvironment.Options options(String device) {
        boolean small = "small".equalsIgnoreCase(config.backbone().size());
        TinyClipConfig clip = small ? TinyClipConfig.small() : TinyClipConfig.standard();
        BackbonePretrainer.Config p = small ? BackbonePretrainer.Config.quick() : BackbonePretrainer.Config.standard();
        if (config.backbone().pretrainSteps().isPresent()) {
            p = new BackbonePretrainer.Config(p.seed(), config.backbone().pretrainSteps().get(), p.batchSize(),
                    p.learningRate(), p.weightDecay(), Math.min(p.warmupSteps(), config.backbone().pretrainSteps().get()),
                    p.shapeCurriculumSteps(), p.attributeWeight(), p.handcraftedFraction());
        }
        return new PlppEnvironment.Options(config.dataDir().toAbsolutePath(), device, clip, p);
    }

    @PreDestroy
    synchronized void close() {
        open.values().forEach(PlppEnvironment::close);
        open.clear();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
