package io.trainledger.tor.aggregator.topology;

import io.trainledger.tor.TorReport;

/**
 * Told about every report the topology forwards to {@code trainledger.tor} (metrics, SSE). Called on a stream thread,
 * before the task's transaction commits: under exactly-once a report seen here may be re-emitted after a retry (with
 * the same content, since the fold is deterministic). Must be quick and must not throw.
 */
@FunctionalInterface
public interface ReportSink {
    ReportSink NONE = (report, ledgerTimestampMs) -> { };

    /**
     * @param report            the report just forwarded
     * @param ledgerTimestampMs Kafka timestamp of the latest ledger record folded into it (for report lag)
     */
    void emitted(TorReport report, long ledgerTimestampMs);
}
