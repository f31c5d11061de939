package io.trainledger.plpp;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches libtorch's gradient mode off on the calling thread for the duration of a library call
 * and restores what the caller had. libtorch keeps the mode per thread and turns it on in every new
 * thread; DJL switches it off only on the thread that loaded the engine. With it on, the in-place
 * optimizer updates on the context leaf (and the backbone parameters in pretraining) fail, and
 * inference records graphs nobody uses. Each {@code GradientCollector} turns it on for its own block
 * and back off when it closes. A no-op on engines other than PyTorch.
 */
final class GradMode implements AutoCloseable {
    private static final boolean PYTORCH = "PyTorch".equals(Engine.getInstance().getEngineName());

    private final boolean previous;

    private GradMode(boolean previous) {
        this.previous = previous;
    }

    /** Gradient mode off on this thread until {@link #close()}; nests. */
    static GradMode off() {
        if (!PYTORCH) {
            return new GradMode(false);
        }
        boolean was = JniUtils.isGradMode();
        if (was) {
            JniUtils.setGradMode(false);
        }
        return new GradMode(was);
    }

    /** Restores the caller's mode. */
    @Override
    public void close() {
        if (PYTORCH && previous) {
            JniUtils.setGradMode(true);
        }
    }
}
