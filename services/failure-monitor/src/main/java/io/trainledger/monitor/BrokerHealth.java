package io.trainledger.monitor;

/**
 * The monitor's own view of the broker. While the monitor cannot reach it, silence of a run proves nothing (the
 * monitor reads nothing, the trainers' heartbeats are buffered or lost), so CRASH judgments wait until the broker is
 * back and silence is measured from then; a run whose same attempt shows a sign of life after an outage longer than
 * the crash timeout gets an INFRA verdict instead.
 */
public interface BrokerHealth {
    /** A broker that is always reachable (no outage is ever seen). */
    BrokerHealth ALWAYS_REACHABLE = () -> null;

    /** The broker outage going on now or the last one, once confirmed; null when there was none. */
    Outage outage();

    /**
     * An outage in the monitor's wall-clock milliseconds.
     *
     * @param startWallMs when the broker was last seen reachable before the outage
     * @param endWallMs when it was seen reachable again, or {@link Long#MAX_VALUE} while it goes on
     */
    record Outage(long startWallMs, long endWallMs) {
        public boolean ongoing() {
            return endWallMs == Long.MAX_VALUE;
        }

        public long lengthMs(long now) {
            return Math.min(now, endWallMs) - startWallMs;
        }
    }
}
