package io.trainledger.tor.aggregator.topology;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Throttle state of one run: the event time of the last report emitted, the Kafka timestamp of the latest ledger
 * record folded, and whether a newer fold is waiting to be emitted.
 *
 * @param lastEmittedAsOfMicros asOfEventTime of the last emitted report, micros since the epoch
 * @param lastLedgerTimestampMs Kafka record timestamp of the latest folded ledger record
 * @param pending               the fold has changed since the last emitted report
 */
public record EmitMark(long lastEmittedAsOfMicros, long lastLedgerTimestampMs, boolean pending) {
    private static final int BYTES = 17;

    /** Fixed 17-byte serde: two longs and a flag. */
    public static Serde<EmitMark> serde() {
        Serializer<EmitMark> ser = (topic, m) -> m == null ? null : ByteBuffer.allocate(BYTES)
                .putLong(m.lastEmittedAsOfMicros).putLong(m.lastLedgerTimestampMs).put((byte) (m.pending ? 1 : 0))
                .array();
        Deserializer<EmitMark> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            return new EmitMark(b.getLong(), b.getLong(), b.get() != 0);
        };
        return Serdes.serdeFrom(ser, de);
    }
}
