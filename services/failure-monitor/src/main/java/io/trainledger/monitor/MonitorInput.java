package io.trainledger.monitor;

import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;

/**
 * One input of the detector: a heartbeat or a ledger event of a run. Both topics are keyed by run id and
 * co-partitioned, so merging them needs no repartition (and this type never needs a serde).
 */
record MonitorInput(Heartbeat heartbeat, RunEvent event) {
    static MonitorInput of(Heartbeat heartbeat) {
        return new MonitorInput(heartbeat, null);
    }

    static MonitorInput of(RunEvent event) {
        return new MonitorInput(null, event);
    }
}
