package io.trainledger.trainer;

import io.trainledger.commands.InjectFault;
import io.trainledger.events.CheckpointPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The runs of the partitions this instance is assigned: every known run (finished ones too, so a duplicate run id is
 * recognised) and, for unfinished ones, the slot their attempts run in. Driven by the command thread; attempts run
 * on their runs' own threads.
 */
@ApplicationScoped
public class OwnedRuns {
    private static final Logger LOG = Logger.getLogger(OwnedRuns.class);
    private final Map<String, RunSlot> slots = new ConcurrentHashMap<>();
    private final AttemptServices services;

    OwnedRuns(AttemptServices services) {
        this.services = services;
    }

    /** What this instance knows of a run on its partitions. */
    public Optional<RunState> known(String runId) {
        RunSlot slot = slots.get(runId);
        return slot == null ? Optional.empty() : Optional.of(slot.state);
    }

    /**
     * Takes over the runs of newly assigned partitions and resumes the unfinished ones, with the checkpoint policy
     * last commanded for them (else the submitted one).
     */
    public void adopt(RunHistory history, Map<String, CheckpointPolicy> commandedPolicies) {
        for (RunState run : history.runs()) {
            RunSlot slot = new RunSlot(run);
            RunSlot previous = slots.putIfAbsent(run.runId(), slot);
            if (previous != null) {
                slot.executor.shutdown();
                continue;
            }
            CheckpointPolicy commanded = commandedPolicies.get(run.runId());
            if (commanded != null) {
                slot.intervalSteps = commanded.getIntervalSteps();
            }
            if (!run.finished()) {
                LOG.infof("[run %s] owned and unfinished (last attempt %d, step %d, checkpoint every %d steps%s): "
                        + "resuming", run.runId(), run.lastAttempt(), run.lastStep(), slot.intervalSteps,
                        commanded == null ? "" : ", as last commanded");
                schedule(slot);
            }
        }
    }

    /** The checkpoint interval a run's attempts use now (for the REST view and tests); empty if not known here. */
    public Optional<Integer> intervalSteps(String runId) {
        RunSlot slot = slots.get(runId);
        return slot == null ? Optional.empty() : Optional.of(slot.intervalSteps);
    }

    /** A run just accepted: its first attempt. */
    public void submitted(RunState run) {
        RunSlot slot = new RunSlot(run);
        slots.put(run.runId(), slot);
        schedule(slot);
    }

    /** Stops and forgets the runs of partitions this instance lost, waiting until their attempts have stopped. */
    public void release(Collection<Integer> partitions) {
        List<RunSlot> lost = slots.values().stream().filter(s -> partitions.contains(s.state.partition())).toList();
        for (RunSlot slot : lost) {
            slot.released = true;
            RunAttempt a = slot.current;
            if (a != null) {
                a.abort();
            }
            slot.executor.shutdown();
        }
        for (RunSlot slot : lost) {
            await(slot);
            slots.remove(slot.runId());
        }
        if (!lost.isEmpty()) {
            // The new owner rebuilds the runs from the ledger: everything the stopped attempts sent must be there.
            services.writer().flush();
            LOG.infof("released %d run(s) of partitions %s", lost.size(), partitions);
        }
    }

    /** Cancels a run; false if it is not running here. */
    public boolean cancel(String runId, String reason) {
        RunSlot slot = slots.get(runId);
        if (slot == null || slot.state.finished()) {
            return false;
        }
        slot.cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
        return true;
    }

    /** Outcome of a RestartRun. */
    public enum Restart { RESTARTED, STALE, NOT_RUNNING }

    /**
     * Aborts the current attempt and starts the next from the latest committed checkpoint, if {@code failedAttempt}
     * is the current attempt (or null); a restart of an attempt the run has moved past is stale.
     */
    public Restart restart(String runId, Integer failedAttempt) {
        RunSlot slot = slots.get(runId);
        if (slot == null || slot.state.finished()) {
            return Restart.NOT_RUNNING;
        }
        RunAttempt current = slot.current;
        int currentAttempt = Math.max(slot.lastScheduledAttempt, current == null ? 0 : current.attempt());
        if (failedAttempt != null && failedAttempt != currentAttempt) {
            return Restart.STALE;
        }
        if (current != null) {
            current.abort();
        }
        schedule(slot);
        return Restart.RESTARTED;
    }

    /** Applies a new checkpoint interval to the run's current and later attempts; false if not running here. */
    public boolean setPolicy(String runId, CheckpointPolicy policy) {
        RunSlot slot = slots.get(runId);
        if (slot == null || slot.state.finished()) {
            return false;
        }
        slot.intervalSteps = policy.getIntervalSteps();
        return true;
    }

    /** Hands a fault to the run's current attempt; false if none is running here. */
    public boolean inject(String runId, InjectFault fault) {
        RunSlot slot = slots.get(runId);
        RunAttempt a = slot == null ? null : slot.current;
        if (a == null || slot.state.finished()) {
            return false;
        }
        a.inject(fault);
        return true;
    }

    /** Attempts currently stepping (or hung): the heartbeat thread beats for these. */
    public List<RunAttempt> activeAttempts() {
        return slots.values().stream().map(s -> s.current).filter(a -> a != null && a.active()).toList();
    }

    /** Runs known here with their state, for the REST view. */
    public Collection<RunSlot> slots() {
        return slots.values();
    }

    /** Stops every attempt (shutdown). */
    public void stopAll() {
        release(slots.values().stream().map(s -> s.state.partition()).distinct().toList());
    }

    private void schedule(RunSlot slot) {
        int number = Math.max(slot.lastScheduledAttempt, slot.state.lastAttempt()) + 1;
        slot.lastScheduledAttempt = number;
        RunAttempt attempt = new RunAttempt(slot, number, services);
        slot.executor.execute(() -> {
            slot.current = attempt;
            attempt.run();
        });
        if (slot.current == null) {
            slot.current = attempt;
        }
    }

    private void await(RunSlot slot) {
        try {
            if (!slot.executor.awaitTermination(60, TimeUnit.SECONDS)) {
                // Fencing: a run must never be executed by two instances. An attempt that does not stop before its
                // partition is handed over would; ending the process is the only safe way out (the supervisor
                // restarts it, and it rebuilds from the ledger).
                RunAttempt a = slot.current;
                if (a != null && a.active()) {
                    LOG.errorf("[run %s] attempt %d did not stop within 60 s of losing its partition: halting",
                            slot.runId(), a.attempt());
                    services.writer().flush();
                    Runtime.getRuntime().halt(70);
                }
                // Not stepping yet (opening its task): it checks the abort flag before it writes anything.
                LOG.warnf("[run %s] attempt still opening its task after 60 s; it will not start", slot.runId());
                slot.executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
