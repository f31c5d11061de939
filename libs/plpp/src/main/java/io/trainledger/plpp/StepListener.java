package io.trainledger.plpp;

/** Called by {@link PlppTrainer#run} after every step and whenever a requested snapshot was taken. */
public interface StepListener {
    void onStep(StepResult result);

    /** A snapshot requested with {@link PlppTrainer#requestSnapshot()}, taken at a step boundary. */
    default void onSnapshot(TrainingState state) {}

    /** Polled between steps: return true to stop the run after the current step. */
    default boolean stopRequested() {
        return false;
    }
}
