package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.AttemptStarted;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.EvalCompleted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RecoveryCompleted;
import io.trainledger.events.RunCancelled;
import io.trainledger.events.RunCompleted;
import io.trainledger.events.RunEvent;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import io.trainledger.events.StepCompleted;
import io.trainledger.tor.core.TorLedger;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A bounded, human-oriented history of one run: milestones (attempts, checkpoints, failures, recoveries, the end) and
 * a loss curve of steps. Milestones beyond {@code maxEvents} drop the oldest; steps beyond {@code maxSteps} are
 * downsampled by doubling the stride (only steps that are multiples of the stride are kept), so a long run keeps its
 * whole curve at a coarser resolution. Only events the TOR fold accepted are added (duplicates never appear).
 */
public final class RunTimeline {
    private static final byte VERSION = 2;

    /** A milestone. {@code step} and {@code failureType} are null when they do not apply. */
    public record Entry(String kind, long eventTimeMicros, int attempt, Long step, String failureType, String detail) {
    }

    /**
     * One step of the loss curve; {@code loss} may be NaN or infinite (a diverged step). The components are the
     * CLIP cross-entropy, the perplexity and the inverted-perplexity terms and the KgCoOp term of the step.
     */
    public record StepPoint(long step, int attempt, long eventTimeMicros, double loss, long stepNanos, double accuracy,
                            double ceLoss, double pplLoss, double ipplLoss, double kgLoss) {
    }

    /**
     * TOR as of an emitted report: cumulative and over the report's first (shortest) sliding window ({@code NaN}
     * and 0 when the report has none).
     */
    public record TorPoint(long eventTimeMicros, double tor, double windowTor, long windowSeconds) {
    }

    private final Deque<Entry> events;
    private final List<StepPoint> steps;
    private final List<TorPoint> tor;
    private long stepStride;
    private long eventsDropped;
    /** Minimum event time between two TOR points (1 s until the curve is first thinned). */
    private long torStrideMicros = 1_000_000L;

    private RunTimeline(Deque<Entry> events, List<StepPoint> steps, List<TorPoint> tor, long stepStride,
                        long eventsDropped) {
        this.events = events;
        this.steps = steps;
        this.tor = tor;
        this.stepStride = stepStride;
        this.eventsDropped = eventsDropped;
    }

    public static RunTimeline empty() {
        return new RunTimeline(new ArrayDeque<>(), new ArrayList<>(), new ArrayList<>(), 1, 0);
    }

    /** The TOR curve: one point per emitted report, thinned to every other point when over the step budget. */
    public List<TorPoint> tor() {
        return List.copyOf(tor);
    }

    /**
     * Records the TOR of a report the topology emitted, if at least the current TOR stride of event time passed
     * since the last point (the stride doubles each time the curve is thinned, as for steps: a long run keeps its
     * whole curve at a coarser resolution and the timeline is rewritten rarely). Returns whether it changed.
     */
    public boolean addReport(io.trainledger.tor.TorReport report, int maxPoints) {
        double windowTor = Double.NaN;
        long windowSeconds = 0;
        if (!report.getWindows().isEmpty()) {
            var w = report.getWindows().get(0);
            windowTor = w.getTor();
            windowSeconds = w.getWindowSeconds();
        }
        long t = TorLedger.micros(report.getAsOfEventTime());
        // The last report of a finished run is always on the curve.
        boolean ended = report.getStatus() == io.trainledger.tor.RunStatus.COMPLETED
                || report.getStatus() == io.trainledger.tor.RunStatus.CANCELLED
                || report.getStatus() == io.trainledger.tor.RunStatus.REJECTED;
        if (!tor.isEmpty() && !ended && t - tor.get(tor.size() - 1).eventTimeMicros() < torStrideMicros) {
            return false;
        }
        if (!tor.isEmpty() && tor.get(tor.size() - 1).eventTimeMicros() == t) {
            tor.remove(tor.size() - 1); // the same instant re-emitted (a flush after a throttled event): keep the newest
        }
        tor.add(new TorPoint(t, report.getTor(), windowTor, windowSeconds));
        if (tor.size() > maxPoints) {
            torStrideMicros *= 2;
            // Halve the resolution, keeping the first and the latest point.
            List<TorPoint> thinned = new ArrayList<>(maxPoints / 2 + 2);
            for (int i = 0; i < tor.size(); i++) {
                if (i % 2 == 0 || i == tor.size() - 1) {
                    thinned.add(tor.get(i));
                }
            }
            tor.clear();
            tor.addAll(thinned);
        }
        return true;
    }

    public List<Entry> events() {
        return List.copyOf(events);
    }

    public List<StepPoint> steps() {
        return List.copyOf(steps);
    }

    /** Steps kept are the multiples of this (1 until the step budget first fills). */
    public long stepStride() {
        return stepStride;
    }

    /** Milestones dropped because the budget was full. */
    public long eventsDropped() {
        return eventsDropped;
    }

    /** Adds an event the fold accepted; returns whether the timeline changed (a step off the stride does not). */
    public boolean add(RunEvent e, int maxEvents, int maxSteps) {
        long t = TorLedger.micros(e.getEventTime());
        int attempt = e.getAttempt();
        Object p = e.getPayload();
        if (p instanceof StepCompleted s) {
            return addStep(new StepPoint(s.getStep(), attempt, t, s.getLoss(), s.getStepNanos(), s.getAccuracy(),
                    s.getCeLoss(), s.getPplLoss(), s.getIpplLoss(), s.getKgLoss()), maxSteps);
        }
        Entry entry = entryOf(p, t, attempt);
        if (entry == null) {
            return false;
        }
        events.addLast(entry);
        while (events.size() > maxEvents) {
            events.removeFirst();
            eventsDropped++;
        }
        return true;
    }

    private boolean addStep(StepPoint point, int maxSteps) {
        if (point.step() % stepStride != 0) {
            return false;
        }
        steps.add(point);
        while (steps.size() > maxSteps) {
            // Halve the resolution: keep multiples of the doubled stride.
            stepStride *= 2;
            steps.removeIf(sp -> sp.step() % stepStride != 0);
        }
        return true;
    }

    private static Entry entryOf(Object p, long t, int attempt) {
        if (p instanceof RunSubmitted s) {
            return new Entry("RUN_SUBMITTED", t, attempt, null, null, s.getIdealStepSeconds() == null
                    ? "steps " + s.getConfig().getSteps() + ", ideal step estimated"
                    : "steps " + s.getConfig().getSteps() + ", ideal step " + s.getIdealStepSeconds() + " s");
        } else if (p instanceof AttemptStarted a) {
            return new Entry("ATTEMPT_STARTED", t, a.getAttempt(), a.getRestoredFromStep(), null,
                    String.format(Locale.ROOT, "restored from %s, init %.3f s, restore %.3f s, device %s",
                            a.getRestoredFromStep() == null ? "scratch" : "step " + a.getRestoredFromStep(),
                            a.getInitNanos() / 1e9, a.getRestoreNanos() / 1e9, a.getDevice()));
        } else if (p instanceof EvalCompleted ev) {
            return new Entry("EVAL_COMPLETED", t, attempt, ev.getStep(), null,
                    "base " + ev.getBaseAcc() + ", new " + ev.getNewAcc() + ", hm " + ev.getHm());
        } else if (p instanceof CheckpointSnapshotted s) {
            return new Entry("CHECKPOINT_SNAPSHOTTED", t, attempt, s.getStep(), null,
                    String.format(Locale.ROOT, "stall %.3f s", s.getStallNanos() / 1e9));
        } else if (p instanceof CheckpointCommitted c) {
            return new Entry("CHECKPOINT_COMMITTED", t, attempt, c.getStep(), null, c.getUri());
        } else if (p instanceof CheckpointRejected r) {
            return new Entry("CHECKPOINT_REJECTED", t, attempt, r.getStep(), null, r.getReason());
        } else if (p instanceof CheckpointDeleted d) {
            return new Entry("CHECKPOINT_DELETED", t, attempt, d.getStep(), null, d.getReason());
        } else if (p instanceof FaultInjected f) {
            return new Entry("FAULT_INJECTED", t, attempt, f.getStep(), f.getType().name(), "chaos ground truth");
        } else if (p instanceof FailureDetected f) {
            long detection = TorLedger.micros(f.getDetectedTime()) - TorLedger.micros(f.getLastProgressTime());
            return new Entry("FAILURE_DETECTED", t, f.getFailedAttempt(), f.getStep(), f.getType().name(),
                    String.format(Locale.ROOT, "detected %.3f s after last progress: %s", detection / 1e6,
                            f.getEvidence()));
        } else if (p instanceof RecoveryCompleted r) {
            return new Entry("RECOVERY_COMPLETED", t, r.getAttempt(), r.getRestoredStep(), r.getFailureType().name(),
                    String.format(Locale.ROOT, "lost %d steps, recovery %.3f s", r.getLostSteps(),
                            r.getRecoveryNanos() / 1e9));
        } else if (p instanceof RunCompleted c) {
            return new Entry("RUN_COMPLETED", t, attempt, c.getFinalStep(), null, "metrics " + c.getMetrics());
        } else if (p instanceof RunCancelled c) {
            return new Entry("RUN_CANCELLED", t, attempt, c.getStep(), null, c.getReason());
        } else if (p instanceof RunRejected r) {
            return new Entry("RUN_REJECTED", t, attempt, null, null, r.getCommand() + ": " + r.getReason());
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------ serde

    /** Versioned binary state-store serde. */
    public static Serde<RunTimeline> serde() {
        return Serdes.serdeFrom((topic, tl) -> tl == null ? null : tl.toBytes(),
                (topic, bytes) -> bytes == null ? null : fromBytes(bytes));
    }

    byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + events.size() * 64 + steps.size() * 44);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeLong(stepStride);
            out.writeLong(eventsDropped);
            out.writeInt(events.size());
            for (Entry e : events) {
                out.writeUTF(e.kind());
                out.writeLong(e.eventTimeMicros());
                out.writeInt(e.attempt());
                out.writeBoolean(e.step() != null);
                if (e.step() != null) {
                    out.writeLong(e.step());
                }
                writeNullable(out, e.failureType());
                writeNullable(out, e.detail() == null ? null : truncate(e.detail()));
            }
            out.writeInt(steps.size());
            for (StepPoint s : steps) {
                out.writeLong(s.step());
                out.writeInt(s.attempt());
                out.writeLong(s.eventTimeMicros());
                out.writeDouble(s.loss());
                out.writeLong(s.stepNanos());
                out.writeDouble(s.accuracy());
                out.writeDouble(s.ceLoss());
                out.writeDouble(s.pplLoss());
                out.writeDouble(s.ipplLoss());
                out.writeDouble(s.kgLoss());
            }
            out.writeLong(torStrideMicros);
            out.writeInt(tor.size());
            for (TorPoint p : tor) {
                out.writeLong(p.eventTimeMicros());
                out.writeDouble(p.tor());
                out.writeDouble(p.windowTor());
                out.writeLong(p.windowSeconds());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RunTimeline fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException("unknown timeline state version " + version);
            }
            long stride = in.readLong();
            long dropped = in.readLong();
            int n = in.readInt();
            Deque<Entry> events = new ArrayDeque<>(n);
            for (int i = 0; i < n; i++) {
                String kind = in.readUTF();
                long t = in.readLong();
                int attempt = in.readInt();
                Long step = in.readBoolean() ? in.readLong() : null;
                events.addLast(new Entry(kind, t, attempt, step, readNullable(in), readNullable(in)));
            }
            int m = in.readInt();
            List<StepPoint> steps = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                long step = in.readLong();
                int attempt = in.readInt();
                long t = in.readLong();
                double loss = in.readDouble();
                long stepNanos = in.readLong();
                double accuracy = in.readDouble();
                // Version 1 (before loss components and the TOR curve) reads on, with unknown components.
                steps.add(version == 1
                        ? new StepPoint(step, attempt, t, loss, stepNanos, accuracy, Double.NaN, Double.NaN,
                        Double.NaN, Double.NaN)
                        : new StepPoint(step, attempt, t, loss, stepNanos, accuracy, in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readDouble()));
            }
            List<TorPoint> tor = new ArrayList<>();
            long torStride = 1_000_000L;
            if (version >= 2) {
                torStride = in.readLong();
                int k = in.readInt();
                for (int i = 0; i < k; i++) {
                    tor.add(new TorPoint(in.readLong(), in.readDouble(), in.readDouble(), in.readLong()));
                }
            }
            RunTimeline timeline = new RunTimeline(events, steps, tor, stride, dropped);
            timeline.torStrideMicros = torStride;
            return timeline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // writeUTF refuses strings over 64 KB; details are for people, 1,000 characters is plenty.
    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
