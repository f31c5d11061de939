package io.trainledger.trainer;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Folds ledger events, in ledger order, into the {@link RunState} of each run: how a trainer that just got a
 * partition learns which runs it owns and where each one stands. Events of runs never submitted are ignored.
 */
public final class RunHistory {
    private final Map<String, RunState> runs = new LinkedHashMap<>();
    private long order;

    /** Applies one ledger event read from {@code partition}. */
    public void apply(int partition, RunEvent event) {
        Object payload = event.getPayload();
        String runId = event.getRunId();
        order++;
        if (payload instanceof RunSubmitted s) {
            runs.putIfAbsent(runId, new RunState(runId, partition, s.getConfig(), s.getIdealStepSeconds(),
                    s.getCommandId()));
            return;
        }
        RunState run = runs.get(runId);
        if (run == null) {
            return;
        }
        run.attemptStarted(event.getAttempt());
        if (payload instanceof AttemptStarted a) {
            run.attemptStarted(a.getAttempt());
        } else if (payload instanceof StepCompleted s) {
            run.stepCompleted(s.getStep());
        } else if (payload instanceof CheckpointCommitted c) {
            run.committed(new RunState.Committed(c.getStep(), c.getUri(), c.getSha256(), order));
        } else if (payload instanceof CheckpointRejected r) {
            run.rejected(r.getUri());
        } else if (payload instanceof FaultInjected) {
            run.faultInjected();
        } else if (payload instanceof RunCompleted) {
            run.finish(RunState.Outcome.COMPLETED);
        } else if (payload instanceof RunCancelled) {
            run.finish(RunState.Outcome.CANCELLED);
        }
    }

    public Optional<RunState> run(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    public Collection<RunState> runs() {
        return runs.values();
    }
}
