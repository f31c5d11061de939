package io.trainledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class RunIdDeserializerTest {
    private final RunIdDeserializer keys = new RunIdDeserializer();
    private final StringDeserializer kafka = new StringDeserializer();

    @Test
    void decodesExactlyAsKafkasStringDeserializerForAnyBytes() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            // Few distinct lengths and a small alphabet, so that keys repeat and share slots; some invalid UTF-8.
            byte[] key = new byte[random.nextInt(12)];
            for (int j = 0; j < key.length; j++) {
                key[j] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + random.nextInt(3));
            }
            assertThat(keys.deserialize("t", key)).isEqualTo(kafka.deserialize("t", key));
            byte[] padded = new byte[key.length + 2];
            System.arraycopy(key, 0, padded, 1, key.length);
            assertThat(keys.deserialize("t", null, ByteBuffer.wrap(padded, 1, key.length).slice()))
                    .isEqualTo(kafka.deserialize("t", key));
        }
    }

    @Test
    void aRepeatedKeyIsTheSameInstanceAndADifferentKeyIsNot() {
        String first = keys.deserialize("t", bytes("run-2026-11-27-a"));
        assertThat(keys.deserialize("t", bytes("run-2026-11-27-a"))).isSameAs(first);
        assertThat(keys.deserialize("t", bytes("run-2026-11-27-b"))).isEqualTo("run-2026-11-27-b").isNotSameAs(first);
    }

    @Test
    void manyRunsSharingSlotsStillDecodeToTheirOwnIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            ids.add("run-" + i);
        }
        for (int round = 0; round < 3; round++) {
            for (String id : ids) {
                assertThat(keys.deserialize("t", bytes(id))).isEqualTo(id);
            }
        }
    }

    @Test
    void aCallerReusingItsBufferDoesNotChangeACachedKey() {
        byte[] buffer = bytes("run-a");
        String a = keys.deserialize("t", buffer);
        buffer[4] = 'b';
        assertThat(a).isEqualTo("run-a");
        assertThat(keys.deserialize("t", buffer)).isEqualTo("run-b");
        assertThat(keys.deserialize("t", bytes("run-a"))).isEqualTo("run-a");
    }

    @Test
    void theByteBufferOverloadReadsTheKeyWhereItLies() {
        // A fetched batch: the key in the middle of a larger array, as the consumer hands it over.
        byte[] batch = "xxrun-42yy".getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.wrap(batch, 2, 6).slice();
        String first = keys.deserialize("t", null, key);
        assertThat(first).isEqualTo("run-42");
        assertThat(key.remaining()).isEqualTo(6); // not consumed
        assertThat(keys.deserialize("t", null, ByteBuffer.wrap(batch, 2, 6).slice())).isSameAs(first);
        assertThat(keys.deserialize("t", bytes("run-42"))).isSameAs(first);
        ByteBuffer direct = ByteBuffer.allocateDirect(6).put(bytes("run-43")).flip();
        assertThat(keys.deserialize("t", null, direct)).isEqualTo("run-43");
        assertThat(keys.deserialize("t", null, (ByteBuffer) null)).isNull();
        batch[4] = 'X'; // the consumer reuses its buffer: the cached key is a copy
        assertThat(keys.deserialize("t", bytes("run-42"))).isEqualTo("run-42");
    }

    @Test
    void nullEmptyAndLongKeys() {
        assertThat(keys.deserialize("t", null)).isNull();
        assertThat(keys.deserialize("t", new byte[0])).isEmpty();
        String longId = "r".repeat(500);
        assertThat(keys.deserialize("t", bytes(longId))).isEqualTo(longId);
        assertThat(keys.deserialize("t", bytes("é-run"))).isEqualTo("é-run");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
