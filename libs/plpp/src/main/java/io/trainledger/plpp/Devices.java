package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/** Device selection for {@code auto|cpu|gpu|gpu:N}; logs which device was chosen. */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    public static Device select(String spec) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        Device d;
        if (s.equals("cpu")) {
            d = Device.cpu();
        } else if (s.equals("gpu") || s.startsWith("gpu:")) {
            int id = s.startsWith("gpu:") ? Integer.parseInt(s.substring(4)) : 0;
            if (id >= gpus) {
                throw new IllegalStateException("device " + spec + " requested but " + gpus + " GPU(s) visible to "
                        + Engine.getInstance().getEngineName());
            }
            d = Device.gpu(id);
        } else if (s.equals("auto")) {
            d = gpus > 0 ? Device.gpu() : Device.cpu();
        } else {
            throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, not '" + spec + "'");
        }
        LOG.info("device {} selected for '{}' ({} GPU(s) visible, engine {} {})", d, s, gpus,
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion());
        return d;
    }
}
