package io.trainledger.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The key deserializer of the run-keyed topics: UTF-8 strings, like Kafka's {@code StringDeserializer}, but a run id
 * seen recently comes back as the same {@code String} instance instead of a new one. A ledger holds many events per
 * run, so most keys repeat: a repeated key costs a comparison of its bytes instead of an allocation and a decode, and
 * the {@code String}'s hash (cached in the instance) is not computed again by each map the consumer looks the run up
 * in. JFR put the aggregator stream thread's key decoding at 12 % of its time before this (docs/benchmarks/aggregator.md).
 *
 * <p>The cache is a small direct-mapped table of immutable entries: a lookup either finds an entry whose bytes equal
 * the record's key or decodes a new string. Concurrent callers (one deserializer instance may serve several stream
 * threads) can only overwrite each other's entries, never see a wrong one, so no lock is needed. Keys are UTF-8 by the
 * contract (docs/EVENTS.md): the {@code key.deserializer.encoding} setting of {@code StringDeserializer} does not
 * apply. With more active runs than slots a lookup misses more often, and a miss costs a copy of the key besides the
 * decode.
 */
public final class RunIdDeserializer implements Deserializer<String> {
    private static final int SLOTS = 256; // a power of two
    /** Longer keys are decoded every time (run ids are short; a long key would make the comparison the cost). */
    private static final int MAX_CACHED_BYTES = 128;

    private record Entry(byte[] bytes, String value) {
    }

    private final Entry[] slots = new Entry[SLOTS];

    @Override
    public String deserialize(String topic, byte[] data) {
        return data == null ? null : decode(data, 0, data.length);
    }

    /**
     * The overload plain {@code KafkaConsumer}s call: reads the key where it lies in the fetched buffer (the default
     * method would copy it into a new array first), as {@code StringDeserializer} does.
     */
    @Override
    public String deserialize(String topic, Headers headers, ByteBuffer data) {
        if (data == null) {
            return null;
        }
        if (data.hasArray()) {
            return decode(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return decode(copy, 0, copy.length);
    }

    private String decode(byte[] buf, int offset, int length) {
        if (length > MAX_CACHED_BYTES) {
            return new String(buf, offset, length, StandardCharsets.UTF_8);
        }
        int slot = slot(buf, offset, length);
        Entry e = slots[slot];
        if (e != null && Arrays.equals(e.bytes, 0, e.bytes.length, buf, offset, offset + length)) {
            return e.value;
        }
        String value = new String(buf, offset, length, StandardCharsets.UTF_8);
        slots[slot] = new Entry(Arrays.copyOfRange(buf, offset, offset + length), value);
        return value;
    }

    /** Mixes the length and the last eight bytes (run ids from one source tend to share a prefix, not a suffix). */
    private static int slot(byte[] buf, int offset, int length) {
        int h = length;
        for (int i = offset + Math.max(0, length - 8); i < offset + length; i++) {
            h = 31 * h + buf[i];
        }
        h ^= h >>> 16;
        return h & (SLOTS - 1);
    }
}
