package io.trainledger.tor.core;

import io.trainledger.events.FailureType;
import io.trainledger.tor.Badput;
import io.trainledger.tor.FailureAttribution;
import io.trainledger.tor.RunStatus;
import io.trainledger.tor.TorModel;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.WindowTor;

import java.util.ArrayList;
import java.util.List;

/**
 * The ledger's accounting at one event time, as plain integers (nanos), with T_obs = T_opt + sum(buckets) exactly.
 * {@link #toReport(double...)} turns it into the Avro {@link TorReport}, fitting the TOR equations on the way.
 *
 * @param attribution per {@link FailureType} ordinal: count, detection, restart, init, restore, wasted (nanos)
 * @param slowdownByTypeNanos SLOWDOWN attributed per failure type ordinal (STRAGGLER only)
 * @param exposureNanos time the run was exposed to failures: T_obs minus queueing, detection, restart, init, restore
 */
public record TorAccounting(
        String runId, long asOfMicros, long eventsFolded, RunStatus status,
        long tObsNanos, long tOptNanos, long preservedSteps, long executedSteps, long idealStepNanos,
        boolean idealStepEstimated,
        long queuedNanos, long initNanos, long restoreNanos, long checkpointStallNanos, long wastedNanos,
        long detectionNanos, long restartNanos, long slowdownNanos, long otherNanos,
        long[][] attribution, long[] slowdownByTypeNanos,
        long[] windowSeconds, long[] windowTObsNanos, long[] windowTOptNanos,
        long exposureNanos, long snapshots, long snapshotIntervalStepsSum, long totalStallNanos) {

    /** T_opt / T_obs, 0 while T_obs is 0. */
    public double tor() {
        return ratio(tOptNanos, tObsNanos);
    }

    /** Sum of all badput buckets. */
    public long badputNanos() {
        return queuedNanos + initNanos + restoreNanos + checkpointStallNanos + wastedNanos + detectionNanos
                + restartNanos + slowdownNanos + otherNanos;
    }

    /** Failures of a type detected so far. */
    public long failures(FailureType type) {
        return attribution[type.ordinal()][TorLedger.A_COUNT];
    }

    /** Recovery badput (detection + restart + init + restore + wasted + slowdown) caused by failures of a type. */
    public long lossNanos(FailureType type) {
        long[] a = attribution[type.ordinal()];
        return a[TorLedger.A_DETECTION] + a[TorLedger.A_RESTART] + a[TorLedger.A_INIT] + a[TorLedger.A_RESTORE]
                + a[TorLedger.A_WASTED] + slowdownByTypeNanos[type.ordinal()];
    }

    /** The fitted TOR equations, or null until there is enough to fit (a preserved step and some exposure). */
    public TorModelFit fit() {
        return TorModelFit.of(this);
    }

    /** The Avro report, with the model projected to the given hardware multiples. */
    public TorReport toReport(double... projectionScales) {
        Badput badput = Badput.newBuilder()
                .setQueuedNanos(queuedNanos).setInitNanos(initNanos).setRestoreNanos(restoreNanos)
                .setCheckpointStallNanos(checkpointStallNanos).setWastedNanos(wastedNanos)
                .setDetectionNanos(detectionNanos).setRestartNanos(restartNanos)
                .setSlowdownNanos(slowdownNanos).setOtherNanos(otherNanos).build();
        List<FailureAttribution> failures = new ArrayList<>();
        for (FailureType type : FailureType.values()) {
            long[] a = attribution[type.ordinal()];
            if (a[TorLedger.A_COUNT] == 0) {
                continue;
            }
            failures.add(FailureAttribution.newBuilder().setType(type).setCount(a[TorLedger.A_COUNT])
                    .setDetectionNanos(a[TorLedger.A_DETECTION]).setRestartNanos(a[TorLedger.A_RESTART])
                    .setInitNanos(a[TorLedger.A_INIT]).setRestoreNanos(a[TorLedger.A_RESTORE])
                    .setWastedNanos(a[TorLedger.A_WASTED]).setSlowdownNanos(slowdownByTypeNanos[type.ordinal()])
                    .build());
        }
        List<WindowTor> windows = new ArrayList<>(windowSeconds.length);
        for (int w = 0; w < windowSeconds.length; w++) {
            windows.add(WindowTor.newBuilder().setWindowSeconds(windowSeconds[w])
                    .setTor(ratio(windowTOptNanos[w], windowTObsNanos[w]))
                    .setTObsNanos(windowTObsNanos[w]).setTOptNanos(windowTOptNanos[w]).build());
        }
        TorModelFit fit = fit();
        TorModel model = fit == null ? null : fit.toAvro(projectionScales);
        return TorReport.newBuilder()
                .setRunId(runId)
                .setAsOfEventTime(java.time.Instant.ofEpochSecond(Math.floorDiv(asOfMicros, 1_000_000L),
                        Math.floorMod(asOfMicros, 1_000_000L) * 1000))
                .setEventsFolded(eventsFolded).setStatus(status).setTor(tor())
                .setTObsNanos(tObsNanos).setTOptNanos(tOptNanos).setPreservedSteps(preservedSteps)
                .setExecutedSteps(executedSteps).setIdealStepNanos(idealStepNanos)
                .setIdealStepEstimated(idealStepEstimated).setBadput(badput).setFailures(failures)
                .setWindows(windows).setModel(model).build();
    }

    static double ratio(long num, long den) {
        return den <= 0 ? 0 : Math.min(1.0, (double) num / (double) den);
    }
}
