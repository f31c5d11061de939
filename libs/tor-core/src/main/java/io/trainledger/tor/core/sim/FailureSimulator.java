package io.trainledger.tor.core.sim;

import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.FailureType;
import io.trainledger.events.FaultInjected;
import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates a realistic, seeded, deterministic event log of one training run under failures, for tests, benchmarks,
 * the demo and the services' tests.
 *
 * <p>Rollback failures (CRASH, HANG, NAN_LOSS, INFRA) arrive as independent Poisson processes in <em>exposure</em>
 * time (while steps and snapshot stalls run), each with its own MTBF, detection and restart distributions. A failure
 * stops the attempt; NAN_LOSS keeps stepping with a non-finite loss until detected; the next attempt restores the last
 * committed checkpoint. CHECKPOINT_CORRUPT is not a process failure: with {@code corruptAtRestore(p)} the restoring
 * attempt finds the last committed checkpoint corrupt with probability p (trainer's CheckpointRejected, the monitor's
 * verdict) and falls back to the one before; with {@code rejectAtCommit(q)} each snapshot's commit is rejected with
 * probability q (checkpointer's CheckpointRejected, the monitor's verdict) and training goes on. STRAGGLER periods
 * (fail-slow) multiply step time by a factor for a sampled duration, are detected after a lag and closed by a
 * RecoveryCompleted. Duplicates and cross-producer reordering within a time bound can be injected on top.
 *
 * <pre>{@code
 * List<RunEvent> log = FailureSimulator.builder().seed(7).steps(5_000).idealStepSeconds(1)
 *         .checkpointEverySteps(50).checkpointStall(Distribution.constant(2))
 *         .failure(FailureType.CRASH, 3600, Distribution.constant(10), Distribution.exponential(20))
 *         .straggler(7200, 3.0, Distribution.constant(120), Distribution.constant(15))
 *         .duplicates(0.01).reordering(0.05, 1.0)
 *         .build().events();
 * }</pre>
 */
public final class FailureSimulator {

    /** One rollback failure process: Poisson with mean time between failures {@code mtbfSeconds} of exposure. */
    public record FailureProcess(FailureType type, double mtbfSeconds, Distribution detection, Distribution restart) {
        public FailureProcess {
            Objects.requireNonNull(type);
            if (type == FailureType.STRAGGLER || type == FailureType.UNKNOWN) {
                throw new IllegalArgumentException(type + " is not a rollback failure; use straggler(...)");
            }
            if (type == FailureType.CHECKPOINT_CORRUPT) {
                throw new IllegalArgumentException("CHECKPOINT_CORRUPT is not a rollback failure (a rejected checkpoint "
                        + "stops nothing by itself); use corruptAtRestore(p) or rejectAtCommit(p)");
            }
            if (!(mtbfSeconds > 0)) {
                throw new IllegalArgumentException("mtbf must be > 0");
            }
        }
    }

    /** Fail-slow periods: Poisson arrivals, step time x {@code factor} for {@code duration}, detected after {@code detectionLag}. */
    public record Straggler(double mtbfSeconds, double factor, Distribution duration, Distribution detectionLag) {
        public Straggler {
            if (!(mtbfSeconds > 0) || !(factor >= 1)) {
                throw new IllegalArgumentException("straggler needs mtbf > 0 and factor >= 1");
            }
        }
    }

    /** What happened, as ground truth for tests ({@code failures} also counts CHECKPOINT_CORRUPT rejections). */
    public record Summary(long events, long stepsExecuted, long finalStep, int attempts,
                          Map<FailureType, Long> failures, long startMicros, long endMicros) {
        /** Total failures, all types. */
        public long totalFailures() {
            return failures.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Builder b;

    private FailureSimulator(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The whole log in a list (for short runs; stream long ones with {@link #run(Consumer)}). */
    public List<RunEvent> events() {
        List<RunEvent> out = new ArrayList<>();
        run(out::add);
        return out;
    }

    /** Streams the log to {@code sink} in log order and returns the ground truth. */
    public Summary run(Consumer<RunEvent> sink) {
        return new Run(sink).execute();
    }

    /** The configuration, for computing expectations. */
    public Builder config() {
        return b;
    }

    // ------------------------------------------------------------------------------------------------ the run

    private final class Run {
        final SplittableRandom rnd = new SplittableRandom(b.seed);
        final SplittableRandom perturbRnd = new SplittableRandom(b.seed ^ 0x5DEECE66DL);
        final RunEventFactory f = new RunEventFactory(b.runId, b.seed);
        final Perturber out;
        final double totalRate;
        final Map<FailureType, Long> failures = new EnumMap<>(FailureType.class);
        final ArrayDeque<long[]> pendingCommits = new ArrayDeque<>();
        final ArrayList<Long> committed = new ArrayList<>();
        long events;
        long now;
        long head;
        long lastProgress;
        long stepsExecuted;
        int attempt;
        long ttf;
        long tts;
        int queuedStragglers;
        boolean slow;
        boolean slowDetected;
        long slowEnd;
        long slowDetectAt;
        long slowOnset;
        long slowOnsetStep;
        long failureCount;

        Run(Consumer<RunEvent> sink) {
            this.out = new Perturber(e -> {
                events++;
                sink.accept(e);
            });
            double r = 0;
            for (FailureProcess p : b.failures) {
                r += 1 / p.mtbfSeconds();
            }
            totalRate = r;
        }

        Summary execute() {
            now = b.startMicros;
            emit(f.submitted(now, b.configuredIdeal ? b.idealStepSeconds : null, b.steps, b.checkpointEverySteps));
            now += micros(b.queue);
            long init = micros(b.init);
            now += init;
            attempt = 1;
            emit(f.attemptStarted(now, attempt, null, init * 1000, 0));
            lastProgress = now;
            ttf = drawFailure();
            tts = drawStraggler();
            while (head < b.steps && failureCount < b.stopAfterFailures) {
                if (!slow && (queuedStragglers > 0 || tts <= 0)) {
                    startStraggler();
                }
                long d = stepMicros();
                if (ttf < d) {
                    fail(now + ttf);
                    continue;
                }
                advance(d);
                now += d;
                head++;
                stepsExecuted++;
                flushUntil(now);
                emit(f.step(now, attempt, head, d * 1000));
                lastProgress = now;
                if (slow && now >= slowEnd) {
                    if (!slowDetected) {
                        detectStraggler(now);
                    }
                    emit(f.recovered(now, attempt, FailureType.STRAGGLER, head, 0, 0));
                    slow = false;
                }
                if (head % b.checkpointEverySteps == 0 && head < b.steps) {
                    long s = micros(b.stall);
                    if (ttf < s) {
                        fail(now + ttf);
                        continue;
                    }
                    advance(s);
                    now += s;
                    flushUntil(now);
                    emit(f.snapshotted(now, attempt, head, s * 1000));
                    pendingCommits.add(new long[] {now + micros(b.commitLag), head});
                }
            }
            flushUntil(now);
            pendingCommits.clear();
            emit(f.completed(now, attempt, head));
            out.flush();
            return new Summary(events, stepsExecuted, head, attempt, failures, b.startMicros, now);
        }

        long stepMicros() {
            double base = b.idealStepSeconds * (1 + b.stepJitter * rnd.nextDouble());
            return Math.max(1, Math.round(base * (slow ? b.straggler.factor() : 1) * 1e6));
        }

        void advance(long d) {
            ttf -= d;
            if (b.straggler != null) {
                tts -= d;
                if (tts <= 0 && slow) {
                    queuedStragglers++;
                    tts = drawStraggler();
                }
            }
            if (slow && !slowDetected && slowDetectAt <= now + d) {
                detectStraggler(Math.max(now, slowDetectAt));
            }
        }

        void startStraggler() {
            if (queuedStragglers > 0) {
                queuedStragglers--;
            } else {
                tts = drawStraggler();
            }
            slow = true;
            slowDetected = false;
            slowOnset = now;
            slowOnsetStep = head;
            slowEnd = now + micros(b.straggler.duration());
            slowDetectAt = now + micros(b.straggler.detectionLag());
            failures.merge(FailureType.STRAGGLER, 1L, Long::sum);
            flushUntil(now);
            emit(f.faultInjected(now, attempt, FailureType.STRAGGLER, now, head));
        }

        void detectStraggler(long t) {
            flushUntil(t);
            emit(f.failureDetected(t, attempt, FailureType.STRAGGLER, slowOnset, slowOnsetStep));
            slowDetected = true;
        }

        void fail(long tf) {
            FailureProcess p = pick();
            failureCount++;
            failures.merge(p.type(), 1L, Long::sum);
            if (slow) {
                if (!slowDetected) {
                    detectStraggler(tf);
                }
                slow = false;
            }
            flushUntil(tf);
            emit(f.faultInjected(tf, attempt, p.type(), tf, head));
            long detected = tf + micros(p.detection());
            long lastGoodStep = head;
            if (p.type() == FailureType.NAN_LOSS) {
                long step = head;
                long t = now;
                while (true) {
                    long d = stepMicros();
                    if (t + d > detected) {
                        break;
                    }
                    t += d;
                    step++;
                    stepsExecuted++;
                    flushUntil(t);
                    emit(f.step(t, attempt, step, d * 1000, Double.NaN));
                }
            }
            flushUntil(detected);
            emit(f.failureDetected(detected, attempt, p.type(), lastProgress, lastGoodStep));
            long startInit = detected + micros(p.restart());
            flushUntil(startInit);
            pendingCommits.clear(); // the checkpointer abandons what it had not committed before the restart
            long target = committed.isEmpty() ? 0 : committed.get(committed.size() - 1);
            long init = micros(b.init);
            if (target > 0 && b.corruptAtRestore > 0 && rnd.nextDouble() < b.corruptAtRestore) {
                // the restoring attempt finds the checkpoint corrupt while restoring, and falls back
                long found = startInit + init;
                failures.merge(FailureType.CHECKPOINT_CORRUPT, 1L, Long::sum);
                emit(f.faultInjected(found, attempt + 1, FailureType.CHECKPOINT_CORRUPT, found, target));
                emit(f.rejectedAtRestore(found, attempt + 1, target, "sha256 mismatch at restore"));
                emit(f.failureDetected(found, attempt + 1, FailureType.CHECKPOINT_CORRUPT, found, target));
                committed.remove(committed.size() - 1);
                target = committed.isEmpty() ? 0 : committed.get(committed.size() - 1);
            }
            long restore = target > 0 ? micros(b.restore) : 0;
            now = startInit + init + restore;
            attempt++;
            emit(f.attemptStarted(now, attempt, target > 0 ? target : null, init * 1000, restore * 1000));
            emit(f.recovered(now, attempt, p.type(), target, lastGoodStep - target, (now - lastProgress) * 1000));
            head = target;
            lastProgress = now;
            ttf = drawFailure();
        }

        FailureProcess pick() {
            double u = rnd.nextDouble() * totalRate;
            for (FailureProcess p : b.failures) {
                u -= 1 / p.mtbfSeconds();
                if (u < 0) {
                    return p;
                }
            }
            return b.failures.get(b.failures.size() - 1);
        }

        long drawFailure() {
            return totalRate == 0 ? Long.MAX_VALUE : Math.max(1, Math.round(-Math.log(1 - rnd.nextDouble()) / totalRate * 1e6));
        }

        long drawStraggler() {
            return b.straggler == null ? Long.MAX_VALUE
                    : Math.max(1, Math.round(-Math.log(1 - rnd.nextDouble()) * b.straggler.mtbfSeconds() * 1e6));
        }

        long micros(Distribution d) {
            return Math.max(0, Math.round(d.sample(rnd) * 1e6));
        }

        void flushUntil(long t) {
            while (!pendingCommits.isEmpty() && pendingCommits.peekFirst()[0] <= t) {
                long[] c = pendingCommits.pollFirst();
                if (b.rejectAtCommit > 0 && rnd.nextDouble() < b.rejectAtCommit) {
                    // the checkpointer's verification fails: no commit, training goes on
                    failures.merge(FailureType.CHECKPOINT_CORRUPT, 1L, Long::sum);
                    emit(f.faultInjected(c[0], attempt, FailureType.CHECKPOINT_CORRUPT, c[0], c[1]));
                    emit(f.rejected(c[0], attempt, c[1], "sha256 mismatch at commit"));
                    emit(f.failureDetected(c[0], attempt, FailureType.CHECKPOINT_CORRUPT, c[0], c[1]));
                    continue;
                }
                emit(f.committed(c[0], attempt, c[1]));
                committed.add(c[1]);
                if (committed.size() > 8) {
                    committed.remove(0);
                }
            }
        }

        void emit(RunEvent e) {
            out.accept(e);
        }

        /** Injects duplicates (same eventId, a few events later) and swaps of concurrent events within the bound. */
        final class Perturber {
            final Consumer<RunEvent> sink;
            final ArrayDeque<RunEvent> buffer = new ArrayDeque<>();
            final List<Object[]> dups = new ArrayList<>();

            Perturber(Consumer<RunEvent> sink) {
                this.sink = sink;
            }

            void accept(RunEvent e) {
                if (b.duplicateProbability == 0 && b.reorderProbability == 0) {
                    sink.accept(e);
                    return;
                }
                RunEvent last = buffer.peekLast();
                if (last != null && b.reorderProbability > 0 && perturbRnd.nextDouble() < b.reorderProbability
                        && concurrent(last, e)) {
                    buffer.pollLast();
                    buffer.addLast(e);
                    buffer.addLast(last);
                } else {
                    buffer.addLast(e);
                }
                while (buffer.size() > 8) {
                    out(buffer.pollFirst());
                }
            }

            void out(RunEvent e) {
                sink.accept(e);
                boolean again = b.duplicateProbability > 0 && perturbRnd.nextDouble() < b.duplicateProbability;
                for (Iterator<Object[]> it = dups.iterator(); it.hasNext(); ) {
                    Object[] d = it.next();
                    int left = (Integer) d[1] - 1;
                    if (left <= 0) {
                        it.remove();
                        sink.accept((RunEvent) d[0]);
                    } else {
                        d[1] = left;
                    }
                }
                if (again) {
                    dups.add(new Object[] {e, 1 + perturbRnd.nextInt(8)}); // re-sent 1 to 8 events after the original
                }
            }

            void flush() {
                while (!buffer.isEmpty()) {
                    out(buffer.pollFirst());
                }
                for (Object[] d : dups) {
                    sink.accept((RunEvent) d[0]);
                }
                dups.clear();
            }

            /** May {@code later} overtake {@code earlier}? Only events of different writers with no causal link. */
            boolean concurrent(RunEvent earlier, RunEvent later) {
                long dt = Math.abs(TorTime.micros(later) - TorTime.micros(earlier));
                if (dt > b.reorderBoundMicros) {
                    return false;
                }
                Object a = earlier.getPayload();
                Object c = later.getPayload();
                if (a instanceof StepCompleted && c instanceof CheckpointCommitted) {
                    return true;
                }
                if (a instanceof CheckpointCommitted && c instanceof StepCompleted) {
                    return true;
                }
                if (a instanceof StepCompleted s && c instanceof FailureDetected fd) {
                    return fd.getType() == FailureType.STRAGGLER
                            || (earlier.getAttempt() == fd.getFailedAttempt() && s.getStep() > fd.getStep());
                }
                if (a instanceof FailureDetected fd && c instanceof StepCompleted) {
                    return fd.getType() == FailureType.STRAGGLER;
                }
                return (a instanceof FaultInjected && c instanceof StepCompleted)
                        || (a instanceof StepCompleted && c instanceof FaultInjected);
            }
        }
    }

    /** Event time helper kept local so the simulator does not depend on the ledger. */
    private static final class TorTime {
        static long micros(RunEvent e) {
            return e.getEventTime().getEpochSecond() * 1_000_000L + e.getEventTime().getNano() / 1000;
        }
    }

    // ------------------------------------------------------------------------------------------------ builder

    /** Configuration; every setter returns this. Defaults: a clean 1,000-step run of 1 s steps. */
    public static final class Builder {
        long seed = 1;
        String runId = "sim-run";
        long startMicros = 1_700_000_000_000_000L;
        double idealStepSeconds = 1.0;
        double stepJitter;
        boolean configuredIdeal = true;
        long steps = 1_000;
        long stopAfterFailures = Long.MAX_VALUE;
        int checkpointEverySteps = 100;
        Distribution stall = Distribution.constant(0);
        Distribution commitLag = Distribution.constant(0);
        Distribution queue = Distribution.constant(0);
        Distribution init = Distribution.constant(0);
        Distribution restore = Distribution.constant(0);
        final List<FailureProcess> failures = new ArrayList<>();
        Straggler straggler;
        double corruptAtRestore;
        double rejectAtCommit;
        double duplicateProbability;
        double reorderProbability;
        long reorderBoundMicros = 1_000_000;

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder runId(String runId) {
            this.runId = Objects.requireNonNull(runId);
            return this;
        }

        /** Event time of RunSubmitted, micros since the epoch. */
        public Builder startMicros(long startMicros) {
            this.startMicros = startMicros;
            return this;
        }

        /** Healthy step time. */
        public Builder idealStepSeconds(double seconds) {
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("step time must be > 0");
            }
            this.idealStepSeconds = seconds;
            return this;
        }

        /** Healthy steps take ideal x (1 + jitter x U(0,1)). */
        public Builder stepJitter(double fraction) {
            this.stepJitter = fraction;
            return this;
        }

        /** Whether RunSubmitted carries idealStepSeconds (true) or leaves TOR to estimate it (false). */
        public Builder configuredIdeal(boolean configured) {
            this.configuredIdeal = configured;
            return this;
        }

        /** Steps the run must complete. */
        public Builder steps(long steps) {
            this.steps = steps;
            return this;
        }

        /** End the run (RunCompleted at the current step) once this many rollback failures happened. */
        public Builder stopAfterFailures(long n) {
            this.stopAfterFailures = n;
            return this;
        }

        public Builder checkpointEverySteps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("checkpoint interval must be >= 1 step");
            }
            this.checkpointEverySteps = steps;
            return this;
        }

        /** Blocking snapshot time (delta). */
        public Builder checkpointStall(Distribution d) {
            this.stall = Objects.requireNonNull(d);
            return this;
        }

        /** Snapshot to CheckpointCommitted (non-blocking persist). */
        public Builder commitLag(Distribution d) {
            this.commitLag = Objects.requireNonNull(d);
            return this;
        }

        public Builder queue(Distribution d) {
            this.queue = Objects.requireNonNull(d);
            return this;
        }

        public Builder init(Distribution d) {
            this.init = Objects.requireNonNull(d);
            return this;
        }

        public Builder restore(Distribution d) {
            this.restore = Objects.requireNonNull(d);
            return this;
        }

        /** Adds a rollback failure process (CRASH, HANG, NAN_LOSS, INFRA). */
        public Builder failure(FailureType type, double mtbfSeconds, Distribution detection, Distribution restart) {
            failures.add(new FailureProcess(type, mtbfSeconds, detection, restart));
            return this;
        }

        public Builder straggler(double mtbfSeconds, double factor, Distribution duration, Distribution detectionLag) {
            this.straggler = new Straggler(mtbfSeconds, factor, duration, detectionLag);
            return this;
        }

        /** Each restore of a committed checkpoint finds it corrupt with this probability and falls back to the previous. */
        public Builder corruptAtRestore(double probability) {
            this.corruptAtRestore = probability(probability);
            return this;
        }

        /** Each snapshot's commit is rejected (verification fails) with this probability; training goes on. */
        public Builder rejectAtCommit(double probability) {
            this.rejectAtCommit = probability(probability);
            return this;
        }

        private static double probability(double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
            }
            return p;
        }

        public double corruptAtRestoreProbability() {
            return corruptAtRestore;
        }

        /** Re-send each event with this probability, 1 to 8 events later, with the same eventId. */
        public Builder duplicates(double probability) {
            this.duplicateProbability = probability;
            return this;
        }

        /** Let concurrent events of different writers swap with this probability when within {@code boundSeconds}. */
        public Builder reordering(double probability, double boundSeconds) {
            this.reorderProbability = probability;
            this.reorderBoundMicros = Math.round(boundSeconds * 1e6);
            return this;
        }

        public List<FailureProcess> failureProcesses() {
            return List.copyOf(failures);
        }

        public Straggler stragglerProcess() {
            return straggler;
        }

        public double idealStep() {
            return idealStepSeconds;
        }

        public int checkpointInterval() {
            return checkpointEverySteps;
        }

        public Distribution stall() {
            return stall;
        }

        public Distribution initTime() {
            return init;
        }

        public Distribution restoreTime() {
            return restore;
        }

        public FailureSimulator build() {
            return new FailureSimulator(this);
        }
    }
}
