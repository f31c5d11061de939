package io.trainledger.tor.aggregator.topology;

import io.trainledger.tor.core.TorLedger;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** State-store serde of a run's fold: tor-core's versioned compact bytes ({@link TorLedger#toBytes()}). */
public final class TorLedgerSerde {
    private TorLedgerSerde() {
    }

    public static Serde<TorLedger> create() {
        return Serdes.serdeFrom(
                (topic, ledger) -> ledger == null ? null : ledger.toBytes(),
                (topic, bytes) -> bytes == null ? null : TorLedger.fromBytes(bytes));
    }
}
