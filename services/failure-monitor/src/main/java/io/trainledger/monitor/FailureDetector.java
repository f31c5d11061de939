package io.trainledger.monitor;

import io.trainledger.commands.RestartRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EventSource;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.schemas.RunEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Detects failures per run and attempt. Ledger events and heartbeats update the run's {@link RunWatch}; NAN_LOSS,
 * STRAGGLER and CHECKPOINT_CORRUPT are decided on the record that shows them, CRASH and HANG by a wall-clock
 * punctuation that scans the store. Output records are {@link RunEvent}s (FailureDetected, RecoveryCompleted) and
 * {@link RunCommand}s (RestartRun), routed to their topics by {@link FailureMonitorTopology}.
 *
 * <p>Exactly once: a verdict is emitted only if its key (run, attempt, type; plus onset step for STRAGGLER) is not
 * in the run's verdict set, and the set is updated in the same store write. Under exactly_once_v2 the store's
 * changelog, the output records and the input offsets commit in one transaction, so after a crash of the monitor
 * either both the verdict and its key are there, or neither (and the verdict is made again).
 */
final class FailureDetector implements Processor<String, MonitorInput, String, SpecificRecord> {
    private static final Logger LOG = Logger.getLogger(FailureDetector.class);

    private final DetectionSettings settings;
    private final VerdictListener listener;
    private final BrokerHealth broker;
    private final EventSource source;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, RunWatch> store;
    /** When this task began processing (after restoring its store), or NOT_RUNNING. */
    private long startedWallMs;
    private static final long NOT_RUNNING = -1;

    FailureDetector(DetectionSettings settings, VerdictListener listener, BrokerHealth broker) {
        this.settings = settings;
        this.listener = listener;
        this.broker = broker;
        this.source = RunEvents.source(DetectionSettings.SERVICE, settings.instance());
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(FailureMonitorTopology.RUN_STORE);
        this.startedWallMs = NOT_RUNNING;
        context.schedule(settings.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, this::scan);
    }

    @Override
    public void process(Record<String, MonitorInput> record) {
        String runId = record.key();
        MonitorInput input = record.value();
        if (runId == null || input == null) {
            return;
        }
        long now = context.currentSystemTimeMs();
        if (startedWallMs == NOT_RUNNING) {
            startedWallMs = now;
        }
        RunWatch w = store.get(runId);
        if (w == null) {
            w = new RunWatch();
        }
        long eventMs;
        if (input.heartbeat() != null) {
            eventMs = input.heartbeat().getEventTime().toEpochMilli();
            if (input.heartbeat().getAttempt() == w.attempt) {
                survivedOutage(runId, w, now);
            }
            onHeartbeat(runId, w, input.heartbeat(), now);
        } else if (input.event() != null) {
            eventMs = input.event().getEventTime().toEpochMilli();
            if (input.event().getPayload() instanceof StepCompleted && input.event().getAttempt() == w.attempt) {
                survivedOutage(runId, w, now);
            }
            onEvent(runId, w, input.event(), now);
        } else {
            return;
        }
        w.touchedWallMs = now;
        if (now - eventMs > backlogLagMs()) {
            w.backlogWallMs = now; // arrived late: the monitor (just restarted, or cut off from the broker) catches up
        }
        store.put(runId, w);
    }

    private void onHeartbeat(String runId, RunWatch w, Heartbeat hb, long now) {
        if (w.finished || hb.getAttempt() < w.attempt) {
            return; // a finished run, or a fenced (older) attempt still beating
        }
        long t = micros(hb.getEventTime());
        if (hb.getAttempt() > w.attempt) {
            supersede(runId, w, hb.getAttempt(), t, now);
        }
        w.lastHeartbeatMicros = Math.max(w.lastHeartbeatMicros, t);
        w.heartbeatStep = Math.max(w.heartbeatStep, hb.getStep());
        if (hb.getLastStepTime() != null) {
            w.heartbeatProgressMicros = Math.max(w.heartbeatProgressMicros, micros(hb.getLastStepTime()));
        }
    }

    private void onEvent(String runId, RunWatch w, RunEvent e, long now) {
        Object payload = e.getPayload();
        long t = micros(e.getEventTime());
        int a = e.getAttempt();
        if (payload instanceof AttemptStarted started) {
            onAttemptStarted(runId, w, started, t, now);
        } else if (payload instanceof StepCompleted step) {
            onStep(runId, w, a, step, t, now);
        } else if (payload instanceof CheckpointSnapshotted) {
            if (a == w.attempt) {
                w.lastSnapshotMicros = Math.max(w.lastSnapshotMicros, t);
            }
        } else if (payload instanceof CheckpointRejected rejected) {
            onCheckpointRejected(runId, w, a, rejected, t, now);
        } else if (payload instanceof FailureDetected verdict) {
            onVerdictOnLedger(w, verdict);
        } else if (payload instanceof RecoveryCompleted recovery) {
            if (recovery.getFailureType() != FailureType.STRAGGLER && w.pendingAttempt != RunWatch.NONE
                    && w.pendingAttempt < recovery.getAttempt()) {
                w.pendingAttempt = RunWatch.NONE; // recorded by another writer
            }
        } else if (payload instanceof RunCompleted || payload instanceof RunCancelled) {
            if (!w.finished) {
                w.finished = true;
                w.finishedWallMs = now;
                LOG.debugf("run %s finished; no longer watched", runId);
            }
        }
    }

    private void onAttemptStarted(String runId, RunWatch w, AttemptStarted started, long t, long now) {
        int a = started.getAttempt();
        if (a < w.attempt || (a == w.attempt && w.attemptStarted)) {
            return; // older attempt, or a duplicate
        }
        if (a > w.attempt) {
            supersede(runId, w, a, t, now);
        }
        w.attemptStarted = true;
        long restored = started.getRestoredFromStep() == null ? 0 : started.getRestoredFromStep();
        w.lastStep = restored;
        w.lastProgressMicros = t;
        w.attemptStartMicros = t; // its warm-up counts from here, not from the process's first heartbeat
        w.attemptStartStep = restored;
        if (w.pendingAttempt != RunWatch.NONE && w.pendingAttempt < a) {
            long lost = Math.max(0, w.pendingStep - restored);
            long recoveryNanos = Math.max(0, (t - w.pendingLastProgressMicros) * 1000);
            RecoveryCompleted recovery = RecoveryCompleted.newBuilder().setAttempt(a).setRestoredStep(restored)
                    .setLostSteps(lost).setFailureType(w.pendingType).setRecoveryNanos(recoveryNanos).build();
            forward(runId, RunEvents.at(runId, a, source, Instant.ofEpochMilli(now), recovery), now);
            listener.recovered(w.pendingType);
            LOG.infof("run %s recovered from %s of attempt %d: attempt %d restored step %d, %d steps lost",
                    runId, w.pendingType, w.pendingAttempt, a, restored, lost);
            w.pendingAttempt = RunWatch.NONE;
        }
    }

    private void onStep(String runId, RunWatch w, int a, StepCompleted s, long t, long now) {
        if (w.finished || a < w.attempt) {
            return;
        }
        if (a > w.attempt) {
            supersede(runId, w, a, t, now); // steps of an attempt whose AttemptStarted we have not seen
            w.attemptStarted = true;
            // it restored from the step before this one, as far as can be told: its steps are its own progress
            w.lastStep = Math.max(0, s.getStep() - 1);
            w.attemptStartStep = w.lastStep;
        }
        if (w.attemptFailed) {
            return; // trailing (e.g. diverged) steps of an attempt already judged
        }
        double loss = s.getLoss();
        if (!Double.isFinite(loss)) {
            if (fresh(t, now)) {
                String evidence = String.format(Locale.ROOT, "step %d of attempt %d has loss %s (last finite step %d)",
                        s.getStep(), a, loss, w.lastStep);
                verdict(runId, w, FailureType.NAN_LOSS, a, w.lastStep, w.lastProgressMicros, now, evidence);
            }
            return;
        }
        if (s.getStep() <= w.lastStep) {
            return; // re-sent step
        }
        trackStepTime(runId, w, a, s, t, now);
        w.lastStep = s.getStep();
        w.lastProgressMicros = Math.max(w.lastProgressMicros, t);
    }

    /**
     * A new attempt shows up. If the previous one was running and never judged, its process was replaced before the
     * heartbeat timeout ran out (a supervisor restarting a crashed trainer quickly): that is a CRASH as well.
     */
    private void supersede(String runId, RunWatch w, int newAttempt, long t, long now) {
        long alive = w.signOfLifeMicros();
        if (w.attempt > 0 && !w.attemptFailed && !w.finished && alive > 0 && fresh(alive, now)) {
            String evidence = String.format(Locale.ROOT,
                    "attempt %d appeared while attempt %d was running (its last sign of life %.1f s before)",
                    newAttempt, w.attempt, Math.max(0, t - alive) / 1e6);
            verdict(runId, w, FailureType.CRASH, w.attempt, w.progressStep(), w.progressMicros(), now, evidence);
        }
        w.beginAttempt(newAttempt, t);
    }

    /**
     * Fail-slow: n consecutive steps above s x the rolling median of healthy steps, spanning at least the minimum
     * duration since the last healthy step, open a straggler period. A new attempt's slow steps before its first
     * healthy one are its warm-up (a restarted process compiling, loading and allocating) and are skipped, neither
     * judged nor sampled, for up to the warm-up allowance after its start; past that they count as any slow step.
     */
    private void trackStepTime(String runId, RunWatch w, int a, StepCompleted s, long t, long now) {
        long d = s.getStepNanos();
        long median = w.medianStepNanos(settings.minStepSamples());
        boolean slow = median > 0 && d > settings.stragglerFactor() * median;
        if (!slow) {
            if (!w.warmedUp && w.warmupSlowSteps > 0) {
                // an operator tuning straggler-warmup wants to know how long warm-ups last
                LOG.infof("run %s: attempt %d warmed up after %d slow steps (%.1f s since its start; median %.3f s)",
                        runId, a, w.warmupSlowSteps, (t - w.attemptStartMicros) / 1e6, median / 1e9);
            }
            w.warmedUp = true;
        } else if (!w.warmedUp) {
            if (t - w.attemptStartMicros < settings.stragglerWarmup().toNanos() / 1000) {
                w.warmupSlowSteps = Math.min(Integer.MAX_VALUE - 1, w.warmupSlowSteps + 1);
                return; // still warming up
            }
            w.warmedUp = true;
            if (w.warmupSlowSteps > 0) {
                // slow since its start and for longer than any warm-up: every step of the attempt so far was slow
                w.slowStreak = w.warmupSlowSteps;
                w.slowOnsetStep = w.attemptStartStep;
                w.slowOnsetMicros = w.attemptStartMicros;
                LOG.infof("run %s: attempt %d still slow %s after its start, %d slow steps (step %d took %.3f s, "
                        + "median %.3f s)", runId, a, settings.stragglerWarmup(), w.warmupSlowSteps, s.getStep(),
                        d / 1e9, median / 1e9);
            }
        }
        if (slow) {
            if (w.slowStreak == 0) {
                w.slowOnsetStep = w.lastStep; // the last healthy step
                w.slowOnsetMicros = w.lastProgressMicros;
            }
            w.slowStreak++;
            w.healthyStreak = 0;
            if (!w.stragglerOpen && w.slowStreak >= settings.stragglerSteps()
                    && t - w.slowOnsetMicros >= settings.stragglerMinDuration().toNanos() / 1000) {
                w.stragglerOpen = true;
                if (fresh(t, now)) {
                    String evidence = String.format(Locale.ROOT,
                            "%d consecutive steps above %.1f x median step time %.3f s (latest step %d took %.3f s)",
                            w.slowStreak, settings.stragglerFactor(), median / 1e9, s.getStep(), d / 1e9);
                    verdict(runId, w, FailureType.STRAGGLER, a, w.slowOnsetStep, w.slowOnsetMicros, now, evidence);
                }
            }
            return; // slow steps stay out of the median
        }
        w.slowStreak = 0;
        w.addStepSample(d, settings.stepWindow());
        if (w.stragglerOpen && ++w.healthyStreak >= settings.stragglerRecoverySteps()) {
            // the slowness ended: close the period so TOR stops charging SLOWDOWN to STRAGGLER
            RecoveryCompleted close = RecoveryCompleted.newBuilder().setAttempt(a).setRestoredStep(s.getStep())
                    .setLostSteps(0).setFailureType(FailureType.STRAGGLER)
                    .setRecoveryNanos(Math.max(0, (t - w.slowOnsetMicros) * 1000)).build();
            forward(runId, RunEvents.at(runId, a, source, Instant.ofEpochMilli(now), close), now);
            listener.recovered(FailureType.STRAGGLER);
            LOG.infof("run %s: straggler period of attempt %d since step %d ended at step %d",
                    runId, a, w.slowOnsetStep, s.getStep());
            w.stragglerOpen = false;
            w.healthyStreak = 0;
        }
    }

    /**
     * A rejected checkpoint is one CHECKPOINT_CORRUPT verdict, whether the checkpointer refused a snapshot at commit
     * (training goes on) or a restoring attempt found a committed checkpoint bad (it falls back to an older one). It
     * stops nothing and is recovered from by nothing: no RestartRun, no RecoveryCompleted, the attempt stays watched.
     * The verdict names the rejected checkpoint's step and the rejection's time (as last progress); its cost, the
     * extra lost work at the next rollback, is the TOR fold's to charge (docs/TOR.md).
     */
    private void onCheckpointRejected(String runId, RunWatch w, int a, CheckpointRejected r, long t, long now) {
        if (w.finished || !fresh(t, now)) {
            return;
        }
        // the restoring attempt writes a restore-time rejection before its AttemptStarted
        boolean atRestore = a > w.attempt || (a == w.attempt && !w.attemptStarted);
        String evidence = String.format(Locale.ROOT, "checkpoint at step %d rejected at %s by attempt %d: %s",
                r.getStep(), atRestore ? "restore (falling back to an older checkpoint)" : "commit (training goes on)",
                a, r.getReason());
        verdict(runId, w, FailureType.CHECKPOINT_CORRUPT, a, r.getStep(), t, now, evidence);
    }

    /** A verdict already on the ledger (ours read back, or another writer's): never repeat it. */
    private void onVerdictOnLedger(RunWatch w, FailureDetected f) {
        FailureType type = f.getType();
        int a = f.getFailedAttempt();
        String key = RunWatch.verdictKey(type, a, f.getStep(), micros(f.getLastProgressTime()));
        if (w.hasVerdict(key)) {
            return; // our own verdict read back (or a re-sent one): already accounted for
        }
        w.addVerdict(key);
        if (type == FailureType.CHECKPOINT_CORRUPT || type == FailureType.INFRA) {
            return; // neither ends the attempt
        }
        if (type == FailureType.STRAGGLER) {
            if (a == w.attempt) {
                w.stragglerOpen = true;
            }
            return;
        }
        if (processLevel(type) && a == w.attempt) {
            w.attemptFailed = true;
        }
        if (processLevel(type)) {
            notePending(w, type, a, f.getStep(), micros(f.getLastProgressTime()));
        }
    }

    /**
     * INFRA: the first sign of life of the current attempt after a broker outage longer than the crash timeout,
     * when the attempt was alive as the outage began. Without the outage this run's silence would have been a CRASH;
     * the process survived it. One verdict per attempt and outage; it ends nothing and orders nothing.
     */
    private void survivedOutage(String runId, RunWatch w, long now) {
        BrokerHealth.Outage outage = broker.outage();
        long timeoutMs = settings.crashTimeout().toMillis();
        if (outage == null || outage.ongoing() || w.finished || w.attemptFailed || w.attempt <= 0
                || outage.lengthMs(now) <= timeoutMs) {
            return;
        }
        long aliveMs = w.signOfLifeMicros() / 1000;
        if (aliveMs == 0 || aliveMs < outage.startWallMs() - timeoutMs || aliveMs > outage.endWallMs()) {
            return; // silent before the outage began (judged as usual), or already seen alive after it
        }
        String evidence = String.format(Locale.ROOT,
                "broker unreachable from the monitor for %.1f s (timeout %.1f s); attempt %d was alive before and "
                        + "is again after (last sign of life before: step %d)",
                outage.lengthMs(now) / 1000.0, timeoutMs / 1000.0, w.attempt, w.progressStep());
        verdict(runId, w, FailureType.INFRA, w.attempt, w.progressStep(), outage.startWallMs() * 1000, now,
                evidence);
    }

    /** Wall-clock scan: CRASH (heartbeats stopped) and HANG (heartbeats continue, steps do not). */
    private void scan(long now) {
        if (startedWallMs == NOT_RUNNING) {
            startedWallMs = now; // wall-clock punctuation only runs once the store is restored
        }
        List<KeyValue<String, RunWatch>> changed = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        // While the monitor cannot reach the broker, silence proves nothing: no CRASH or HANG is judged.
        BrokerHealth.Outage outage = broker.outage();
        boolean settled = now - startedWallMs >= settings.crashTimeout().toMillis()
                && (outage == null || !outage.ongoing());
        try (KeyValueIterator<String, RunWatch> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, RunWatch> kv = it.next();
                RunWatch w = kv.value;
                if (w.finished ? now - w.finishedWallMs > settings.finishedRetention().toMillis()
                        : now - w.touchedWallMs > settings.idleRetention().toMillis()) {
                    expired.add(kv.key);
                } else if (settled && !w.finished && !w.attemptFailed && w.signOfLifeMicros() > 0
                        && checkLiveness(kv.key, w, now)) {
                    changed.add(kv);
                }
            }
        }
        // A monitor that just (re)started first catches up on its backlog ('settled'), so a backlog is not a crash.
        changed.forEach(kv -> store.put(kv.key, kv.value));
        expired.forEach(store::delete);
    }

    private boolean checkLiveness(String runId, RunWatch w, long now) {
        long alive = w.signOfLifeMicros();
        BrokerHealth.Outage outage = broker.outage();
        // after a broker outage, silence counts from its end: what the trainers sent meanwhile may still come in
        long silenceMs = now - Math.max(alive / 1000, outage == null ? 0 : outage.endWallMs());
        long timeoutMs = settings.crashTimeout().toMillis();
        // A record of this run that arrived late moments ago means a backlog is being worked off (after a restart
        // the stream thread alternates single records and punctuations): judge silence once the run's records are
        // all in. Records that arrive on time (a checkpointer's commit after the trainer died) do not delay it.
        boolean quiet = now - w.backlogWallMs >= backlogLagMs();
        if (silenceMs > timeoutMs) {
            if (!quiet) {
                return false;
            }
            w.attemptFailed = true; // also when stale: an attempt silent beyond the horizon is not judged
            if (fresh(alive, now)) {
                String evidence = String.format(Locale.ROOT,
                        "no heartbeat of attempt %d for %.1f s (last sign of life at step %d), timeout %.1f s",
                        w.attempt, silenceMs / 1000.0, w.progressStep(), timeoutMs / 1000.0);
                verdict(runId, w, FailureType.CRASH, w.attempt, w.progressStep(), w.progressMicros(), now, evidence);
            }
            return true;
        }
        if (!w.attemptStarted && w.heartbeatProgressMicros == 0) {
            return false; // still initialising: no step progress is expected yet
        }
        long median = w.medianStepNanos(settings.minStepSamples());
        long thresholdMs = settings.hangThresholdMs(median);
        long activityMs = Math.max(Math.max(w.progressMicros(), w.lastSnapshotMicros) / 1000,
                outage == null ? 0 : outage.endWallMs());
        long stalledMs = now - activityMs;
        if (stalledMs > thresholdMs) {
            String evidence = String.format(Locale.ROOT,
                    "no step progress for %.1f s after step %d while heartbeats continue (last %.1f s ago); "
                            + "threshold %.1f s = max(%.1f x median step %.3f s, floor %.1f s)",
                    stalledMs / 1000.0, w.progressStep(), silenceMs / 1000.0, thresholdMs / 1000.0,
                    settings.hangStepFactor(), median / 1e9, settings.hangFloor().toMillis() / 1000.0);
            verdict(runId, w, FailureType.HANG, w.attempt, w.progressStep(), w.progressMicros(), now, evidence);
            return true;
        }
        return false;
    }

    private void verdict(String runId, RunWatch w, FailureType type, int failedAttempt, long step,
                         long lastProgressMicros, long now, String evidence) {
        String key = RunWatch.verdictKey(type, failedAttempt, step, lastProgressMicros);
        if (w.hasVerdict(key)) {
            return;
        }
        w.addVerdict(key);
        if (processLevel(type) && failedAttempt == w.attempt) {
            w.attemptFailed = true;
            w.stragglerOpen = false;
        }
        Instant detected = Instant.ofEpochMilli(now);
        FailureDetected f = FailureDetected.newBuilder().setType(type)
                .setLastProgressTime(instant(lastProgressMicros)).setDetectedTime(detected).setStep(step)
                .setFailedAttempt(failedAttempt).setEvidence(evidence).build();
        forward(runId, RunEvents.at(runId, failedAttempt, source, detected, f), now);
        listener.detected(type);
        LOG.infof("run %s: %s of attempt %d at step %d: %s", runId, type, failedAttempt, step, evidence);
        if (processLevel(type)) {
            notePending(w, type, failedAttempt, step, lastProgressMicros);
        }
        if (settings.restartOn().contains(type)) {
            RestartRun restart = RestartRun.newBuilder().setReason(type + ": " + evidence).setCause(type)
                    .setFailedAttempt(failedAttempt).build();
            RunCommand command = RunCommand.newBuilder().setCommandId(UUID.randomUUID()).setRunId(runId)
                    .setIssuedAt(detected).setIssuedBy(source).setPayload(restart).build();
            forward(runId, command, now);
            listener.restartOrdered(type);
            LOG.infof("run %s: RestartRun ordered for attempt %d (%s)", runId, failedAttempt, type);
        }
    }

    /** Remembers the process-level failure the next attempt recovers from (one per failed attempt). */
    private static void notePending(RunWatch w, FailureType type, int failedAttempt, long step, long lastProgress) {
        boolean replace = w.pendingAttempt == RunWatch.NONE || failedAttempt > w.pendingAttempt;
        if (replace && failedAttempt >= w.attempt - (w.attemptStarted ? 0 : 1)) {
            w.pendingAttempt = failedAttempt;
            w.pendingType = type;
            w.pendingStep = step;
            w.pendingLastProgressMicros = lastProgress;
        }
    }

    private static boolean processLevel(FailureType type) {
        return type == FailureType.CRASH || type == FailureType.HANG || type == FailureType.NAN_LOSS;
    }

    /** A record this far behind the monitor's clock is part of a backlog: min(1 s, crash timeout / 2). */
    private long backlogLagMs() {
        return Math.min(1000, settings.crashTimeout().toMillis() / 2);
    }

    private boolean fresh(long eventMicros, long now) {
        return now - eventMicros / 1000 <= settings.verdictHorizon().toMillis();
    }

    private void forward(String runId, SpecificRecord value, long now) {
        context.forward(new Record<>(runId, value, now));
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
}
