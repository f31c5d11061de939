package io.trainledger.e2e;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.PerplexityAlignment;
import io.trainledger.events.PromptMethod;
import io.trainledger.events.RunConfig;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Small run configurations and ledger queries shared by the tests. */
final class Runs {
    private Runs() {
    }

    static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /**
     * A small run on the built-in world: 2 shots, batch 16, a fixed interval (the adaptive interval is off so that
     * two runs with the same seed snapshot at the same steps).
     */
    static RunConfig.Builder small(PromptMethod method, long steps, int interval, long seed) {
        return RunConfig.newBuilder()
                .setMethod(method)
                .setDataset("hue-shift")
                .setShots(2)
                .setSeed(seed)
                .setSteps(steps)
                .setBatchSize(16)
                .setContextLength(4)
                .setContextInit("a photo of a")
                .setDevice("cpu")
                .setAlignment(PerplexityAlignment.NEXT_TOKEN)
                .setCheckpoint(CheckpointPolicy.newBuilder().setIntervalSteps(interval).setAdaptive(false).build());
    }

    static <T> List<T> payloads(List<RunEvent> events, Class<T> type) {
        return events.stream().map(RunEvent::getPayload).filter(type::isInstance).map(type::cast).toList();
    }

    static <T> Optional<T> last(List<RunEvent> events, Class<T> type) {
        List<T> all = payloads(events, type);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    static Optional<AttemptStarted> attempt(List<RunEvent> events, int attempt) {
        return payloads(events, AttemptStarted.class).stream().filter(a -> a.getAttempt() == attempt).findFirst();
    }

    static int lastAttempt(List<RunEvent> events) {
        return payloads(events, AttemptStarted.class).stream().mapToInt(AttemptStarted::getAttempt).max().orElse(0);
    }

    /** The highest step an attempt has completed so far (0 if none). */
    static long stepOf(List<RunEvent> events, int attempt) {
        return events.stream().filter(e -> e.getAttempt() == attempt && e.getPayload() instanceof StepCompleted)
                .mapToLong(e -> ((StepCompleted) e.getPayload()).getStep()).max().orElse(0);
    }
}
