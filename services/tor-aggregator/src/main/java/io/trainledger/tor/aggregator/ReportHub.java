package io.trainledger.tor.aggregator;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.trainledger.tor.TorReport;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fans the reports this instance emits out to SSE subscribers. Hot: a subscriber sees reports emitted after it
 * subscribed (the resource sends the current report first).
 */
@ApplicationScoped
public class ReportHub {
    private final BroadcastProcessor<TorReport> processor = BroadcastProcessor.create();

    /** Called from stream threads; serialised because several may publish at once. */
    public synchronized void publish(TorReport report) {
        processor.onNext(report);
    }

    /**
     * Reports of one run, as they are emitted. A slow subscriber loses intermediate reports but always gets the
     * latest one (a BroadcastProcessor fails a subscriber that has no outstanding demand, which ended SSE streams).
     */
    public Multi<TorReport> reports(String runId) {
        return processor.filter(r -> runId.equals(r.getRunId())).onOverflow().dropPreviousItems();
    }
}
