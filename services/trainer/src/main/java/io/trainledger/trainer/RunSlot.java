package io.trainledger.trainer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A run this instance owns: its state, the single thread its attempts run on one after another (so two attempts of
 * a run never overlap here), the current attempt, and requests that outlive an attempt (cancel, interval).
 */
final class RunSlot {
    final RunState state;
    final ExecutorService executor;
    volatile RunAttempt current;
    volatile int lastScheduledAttempt;
    volatile String cancelReason;
    volatile int intervalSteps;
    /** Set when the partition is lost or the service stops: queued attempts then do not start. */
    volatile boolean released;

    RunSlot(RunState state) {
        this.state = state;
        this.intervalSteps = state.config().getCheckpoint().getIntervalSteps();
        this.lastScheduledAttempt = state.lastAttempt();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "run-" + state.runId());
            t.setDaemon(true);
            t.setContextClassLoader(CommandConsumer.APP_LOADER);
            return t;
        });
    }

    String runId() {
        return state.runId();
    }
}
