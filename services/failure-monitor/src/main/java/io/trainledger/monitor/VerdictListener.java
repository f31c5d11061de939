package io.trainledger.monitor;

import io.trainledger.events.FailureType;

/** Told about every verdict and recovery the detector emits (metrics); must not block. */
public interface VerdictListener {
    VerdictListener NONE = new VerdictListener() {
    };

    default void detected(FailureType type) {
    }

    default void restartOrdered(FailureType type) {
    }

    default void recovered(FailureType type) {
    }
}
