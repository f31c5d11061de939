package io.trainledger.checkpointer.ledger;

import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The checkpointer's view of every run, folded from the ledger and the commands topic. The ledger is the source of
 * truth: this index is rebuilt from offset 0 at every start, so nothing but the stored bytes lives on disk.
 *
 * <p>Folding is idempotent for everything the checkpointer decides with (committed, decided, deleted are keyed by
 * run, step and hash); the estimates for the adaptive interval assume each record is folded once, which the
 * {@link LedgerView} guarantees within a process.
 */
public final class CheckpointIndex {
    private final Map<String, RunCheckpoints> runs = new ConcurrentHashMap<>();

    /** The run, if any event of it was seen. */
    public Optional<RunCheckpoints> run(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /** The run, created when unknown. */
    public RunCheckpoints runOrCreate(String runId) {
        return runs.computeIfAbsent(runId, RunCheckpoints::new);
    }

    /** Folds one ledger event read from {@code partition}. */
    public RunCheckpoints fold(RunEvent event, int partition) {
        RunCheckpoints run = runOrCreate(event.getRunId());
        run.seenIn(partition, event.getEventTime());
        Object payload = event.getPayload();
        if (payload instanceof RunSubmitted s) {
            run.submitted(s.getConfig().getCheckpoint());
        } else if (payload instanceof StepCompleted s) {
            run.stepped(s.getStepNanos());
        } else if (payload instanceof CheckpointSnapshotted s) {
            run.snapshotted(s.getStallNanos());
        } else if (payload instanceof CheckpointCommitted c) {
            run.commit(new CommittedCheckpoint(event.getRunId(), event.getAttempt(), c.getStep(), c.getSha256(),
                    c.getUri(), c.getBytes(), c.getPersistNanos(), event.getEventTime()));
        } else if (payload instanceof CheckpointRejected r) {
            String sha = r.getSha256();
            if (sha != null) {
                run.decide(r.getStep(), sha);
            }
            run.remove(r.getStep(), sha);
        } else if (payload instanceof CheckpointDeleted d) {
            run.remove(d.getStep(), d.getSha256());
        } else if (payload instanceof FailureDetected f) {
            // Fail-slow verdicts do not roll back: they are not failures in the Young/Daly sense.
            if (f.getType() != FailureType.STRAGGLER) {
                run.failed();
            }
        } else if (payload instanceof RunCompleted || payload instanceof RunCancelled) {
            run.finish();
        }
        return run;
    }

    /** Folds one command; only SetCheckpointPolicy matters here. */
    public void fold(RunCommand command) {
        if (command.getPayload() instanceof SetCheckpointPolicy p) {
            runOrCreate(command.getRunId()).commanded(p.getPolicy());
        }
    }

    /** Whether any live committed checkpoint of any run still names this object (content addressing shares bytes). */
    public boolean referenced(String sha256) {
        return runs.values().stream().anyMatch(r -> r.references(sha256));
    }

    /** Records this instance's own commit without waiting to read it back. */
    public void committed(CommittedCheckpoint checkpoint) {
        runOrCreate(checkpoint.runId()).commit(checkpoint);
    }

    /** Records this instance's own rejection without waiting to read it back. */
    public void rejected(String runId, long step, String sha256) {
        runOrCreate(runId).decide(step, sha256);
    }

    /** Records this instance's own deletion without waiting to read it back. */
    public void deleted(String runId, long step, String sha256) {
        runOrCreate(runId).remove(step, sha256);
    }
}
