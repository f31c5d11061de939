package io.trainledger.bench.tor;

import io.trainledger.events.FailureType;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.Distribution;
import io.trainledger.tor.core.sim.FailureSimulator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Fold throughput (events/s on one thread) against a baseline that only deduplicates the same events by eventId,
 * plus report and state serialisation cost. Both loops see the same pre-built {@link RunEvent} objects, so the
 * ratio is the fold's own cost, not Avro decoding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class TorFoldBenchmark {

    /** Events in the benchmark log (a simulated run with every failure type, 1 % duplicates, reordering). */
    public static final int EVENTS = 200_000;

    RunEvent[] events;
    TorLedger folded;
    TorReport report;
    byte[] state;

    /** The benchmark log: deterministic (seed 42). */
    public static List<RunEvent> log() {
        return FailureSimulator.builder().seed(42).steps(Long.MAX_VALUE / 4).idealStepSeconds(1).stepJitter(0.1)
                .configuredIdeal(false).checkpointEverySteps(50).checkpointStall(Distribution.uniform(0.5, 2))
                .commitLag(Distribution.exponential(3)).init(Distribution.uniform(5, 20)).restore(Distribution.uniform(2, 8))
                .failure(FailureType.CRASH, 20_000, Distribution.uniform(2, 10), Distribution.exponential(20))
                .failure(FailureType.HANG, 40_000, Distribution.constant(60), Distribution.exponential(20))
                .failure(FailureType.NAN_LOSS, 40_000, Distribution.uniform(2, 8), Distribution.constant(5))
                // CHECKPOINT_CORRUPT is not a failure process of its own (a rejection at commit or at restore)
                .rejectAtCommit(0.01).corruptAtRestore(0.05)
                .failure(FailureType.INFRA, 80_000, Distribution.constant(30), Distribution.exponential(60))
                .straggler(30_000, 3, Distribution.uniform(60, 600), Distribution.uniform(10, 30))
                .duplicates(0.01).reordering(0.05, 2)
                .stopAfterFailures(Long.MAX_VALUE).steps(190_000)
                .build().events().subList(0, EVENTS);
    }

    @Setup
    public void setup() {
        events = log().toArray(new RunEvent[0]);
        folded = TorLedger.create();
        for (RunEvent e : events) {
            folded.apply(e);
        }
        report = folded.report();
        state = folded.toBytes();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long fold() {
        TorLedger l = TorLedger.create();
        for (RunEvent e : events) {
            l.apply(e);
        }
        return l.eventsFolded();
    }

    /** Baseline: the least any consumer does with the same events, deduplicate by eventId. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long baselineDedupOnly() {
        HashSet<UUID> seen = new HashSet<>(EVENTS * 2);
        long n = 0;
        for (RunEvent e : events) {
            if (seen.add(e.getEventId())) {
                n++;
            }
        }
        return n;
    }

    @Benchmark
    public TorReport report() {
        return folded.report();
    }

    @Benchmark
    public ByteBuffer reportSerialise() throws java.io.IOException {
        return TorReport.getEncoder().encode(report);
    }

    @Benchmark
    public byte[] stateSerialise() {
        return folded.toBytes();
    }

    @Benchmark
    public TorLedger stateDeserialise() {
        return TorLedger.fromBytes(state);
    }
}
