package io.trainledger.cli;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.tor.TorReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the live view of a run shows, folded from the run's ledger events and its latest TorReport: progress,
 * losses, step rate, failures as they are injected, detected and recovered, and the end of the run. Pure state
 * (no I/O); {@link RunViewRenderer} draws it. Not thread-safe: the follower applies and renders from one thread.
 */
public final class RunView {
    /** Where the run is, as far as the ledger says. */
    public enum Phase { WAITING, SUBMITTED, RUNNING, RECOVERING, COMPLETED, CANCELLED, REJECTED }

    /** One line of the failure log: injected, detected or recovered. */
    public record Incident(Instant time, String kind, String type, String detail) {
    }

    /** A (time, step) sample for the step rate. */
    private record Progress(Instant time, long step) {
    }

    private static final int MAX_INCIDENTS = 200;
    private static final Duration RATE_WINDOW = Duration.ofSeconds(30);

    private final String runId;
    private final Set<java.util.UUID> seen = new HashSet<>();
    private Phase phase = Phase.WAITING;
    private String method = "";
    private long totalSteps;
    private Instant submittedAt;
    private Instant lastEventTime;
    private int attempt;
    private long step;
    private StepCompleted lastStep;
    private long committedStep;
    private final Deque<Progress> progress = new ArrayDeque<>();
    private final List<Incident> incidents = new ArrayList<>();
    private final Map<String, Integer> injected = new java.util.TreeMap<>();
    private final Map<String, Integer> detected = new java.util.TreeMap<>();
    private int recovered;
    private String endDetail = "";
    private Map<String, Double> finalMetrics = Map.of();
    private TorReport report;

    public RunView(String runId) {
        this.runId = runId;
    }

    /** Folds one ledger event of this run (duplicates by eventId are ignored). */
    public void apply(RunEvent e) {
        if (!runId.equals(e.getRunId()) || !seen.add(e.getEventId())) {
            return;
        }
        Instant t = e.getEventTime();
        lastEventTime = lastEventTime == null || t.isAfter(lastEventTime) ? t : lastEventTime;
        Object p = e.getPayload();
        if (p instanceof RunSubmitted s) {
            submittedAt = t;
            method = s.getConfig().getMethod().name();
            totalSteps = s.getConfig().getSteps();
            if (phase == Phase.WAITING) {
                phase = Phase.SUBMITTED;
            }
        } else if (p instanceof RunRejected r) {
            phase = Phase.REJECTED;
            endDetail = (r.getField() == null ? "" : r.getField() + ": ") + r.getReason();
        } else if (p instanceof AttemptStarted a) {
            attempt = Math.max(attempt, a.getAttempt());
            if (!isFinished()) {
                phase = Phase.RUNNING;
            }
            step = a.getRestoredFromStep() == null ? 0 : a.getRestoredFromStep();
            progress.clear();
        } else if (p instanceof StepCompleted s) {
            if (e.getAttempt() >= attempt) {
                step = s.getStep();
                lastStep = s;
                progress.addLast(new Progress(t, s.getStep()));
                while (progress.size() > 2 && progress.peekFirst().time().isBefore(t.minus(RATE_WINDOW))) {
                    progress.removeFirst();
                }
            }
        } else if (p instanceof CheckpointCommitted c) {
            committedStep = Math.max(committedStep, c.getStep());
        } else if (p instanceof FaultInjected f) {
            injected.merge(f.getType().name(), 1, Integer::sum);
            String params = f.getParameters().isEmpty() ? "" : " " + f.getParameters();
            incident(t, "injected", f.getType().name(), "at step " + f.getStep() + params);
        } else if (p instanceof FailureDetected d) {
            detected.merge(d.getType().name(), 1, Integer::sum);
            Duration latency = Duration.between(d.getLastProgressTime(), d.getDetectedTime());
            incident(t, "detected", d.getType().name(), String.format(Locale.ROOT, "at step %d after %s: %s",
                    d.getStep(), RunViewRenderer.duration(latency), d.getEvidence()));
            if (!isFinished() && !"STRAGGLER".equals(d.getType().name())) {
                phase = Phase.RECOVERING;
            }
        } else if (p instanceof RecoveryCompleted r) {
            recovered++;
            incident(t, "recovered", r.getFailureType().name(), String.format(Locale.ROOT,
                    "attempt %d from step %d, %d steps lost%s", r.getAttempt(), r.getRestoredStep(), r.getLostSteps(),
                    r.getRecoveryNanos() > 0 ? ", " + RunViewRenderer.duration(Duration.ofNanos(r.getRecoveryNanos())) : ""));
            if (!isFinished()) {
                phase = Phase.RUNNING;
            }
        } else if (p instanceof RunCompleted c) {
            phase = Phase.COMPLETED;
            step = c.getFinalStep();
            finalMetrics = Map.copyOf(c.getMetrics());
        } else if (p instanceof RunCancelled c) {
            phase = Phase.CANCELLED;
            endDetail = c.getReason();
        }
    }

    /** Takes the run's latest TorReport (from {@code trainledger.tor}); older ones are ignored. */
    public void apply(TorReport r) {
        if (!runId.equals(r.getRunId())) {
            return;
        }
        if (report == null || r.getEventsFolded() >= report.getEventsFolded()) {
            report = r;
        }
    }

    private void incident(Instant t, String kind, String type, String detail) {
        incidents.add(new Incident(t, kind, type, detail));
        if (incidents.size() > MAX_INCIDENTS) {
            incidents.remove(0);
        }
    }

    public boolean isFinished() {
        return phase == Phase.COMPLETED || phase == Phase.CANCELLED || phase == Phase.REJECTED;
    }

    /** Finished, and the TorReport has caught up with the end (the aggregator emits the end at once). */
    public boolean isSettled() {
        if (!isFinished()) {
            return false;
        }
        if (phase == Phase.REJECTED) {
            return true;
        }
        return report != null && switch (report.getStatus()) {
            case COMPLETED, CANCELLED, REJECTED -> true;
            default -> false;
        };
    }

    /** Steps per second over the last half minute of event time, or NaN without two samples. */
    public double stepsPerSecond() {
        if (progress.size() < 2) {
            return Double.NaN;
        }
        Progress first = progress.peekFirst();
        Progress last = progress.peekLast();
        double seconds = Duration.between(first.time(), last.time()).toNanos() / 1e9;
        return seconds <= 0 ? Double.NaN : (last.step() - first.step()) / seconds;
    }

    /** Remaining steps at the current rate (ignores future failures), or null when unknown. */
    public Duration eta() {
        double rate = stepsPerSecond();
        if (!(rate > 0) || totalSteps <= 0) {
            return null;
        }
        return Duration.ofMillis((long) (Math.max(0, totalSteps - step) / rate * 1000));
    }

    public String runId() {
        return runId;
    }

    public Phase phase() {
        return phase;
    }

    public String method() {
        return method;
    }

    public long totalSteps() {
        return totalSteps;
    }

    public long step() {
        return step;
    }

    public long committedStep() {
        return committedStep;
    }

    public int attempt() {
        return attempt;
    }

    public StepCompleted lastStep() {
        return lastStep;
    }

    public Instant submittedAt() {
        return submittedAt;
    }

    public Instant lastEventTime() {
        return lastEventTime;
    }

    public List<Incident> incidents() {
        return List.copyOf(incidents);
    }

    public Map<String, Integer> injected() {
        return Map.copyOf(injected);
    }

    public Map<String, Integer> detected() {
        return Map.copyOf(detected);
    }

    public int recovered() {
        return recovered;
    }

    public String endDetail() {
        return endDetail;
    }

    public Map<String, Double> finalMetrics() {
        return finalMetrics;
    }

    public TorReport report() {
        return report;
    }
}
