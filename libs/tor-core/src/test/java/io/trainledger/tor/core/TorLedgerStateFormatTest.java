package io.trainledger.tor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * States written by earlier commits (src/test/resources/state-fixtures, see its README) still read: a restarted
 * aggregator or a restored state store after an upgrade gives the same reports, and a version-2 state is written
 * back byte for byte.
 */
class TorLedgerStateFormatTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aVersionTwoStateReadsToTheSameReportAndWritesBackTheSameBytes(int k) throws IOException {
        TorLedger l = readWithItsReport("v2-" + k, 2);
        assertThat(l.toBytes()).isEqualTo(fixture("v2-" + k + ".bin"));
    }

    @Test
    void versionTwoStatesWithRejectedCheckpointsAndInfraVerdictsReadAndWriteBackTheSame() throws IOException {
        boolean rejectedMark = false;
        for (int k = 1; k <= 3; k++) {
            TorLedger l = readWithItsReport("v2-rejections-" + k, 2);
            assertThat(l.toBytes()).isEqualTo(fixture("v2-rejections-" + k + ".bin"));
            for (int i = 0; i < l.marks.size(); i++) {
                rejectedMark |= l.marks.rejected(i);
            }
        }
        assertThat(rejectedMark).as("a rejected checkpoint mark went through the codec").isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void aVersionOneStateReadsToTheSameReportAndIsWrittenAsVersionTwo(int k) throws IOException {
        TorLedger l = readWithItsReport("v1-" + k, 1);
        byte[] rewritten = l.toBytes();
        assertThat(rewritten[0]).isEqualTo((byte) TorLedger.STATE_VERSION);
        assertThat(TorLedger.fromBytes(rewritten).report()).isEqualTo(l.report());
    }

    @Test
    void anUnknownVersionOrATruncatedStateIsRefused() throws IOException {
        byte[] state = fixture("v2-3.bin");
        byte[] future = state.clone();
        future[0] = (byte) (TorLedger.STATE_VERSION + 1);
        assertThatThrownBy(() -> TorLedger.fromBytes(future)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported TorLedger state version " + (TorLedger.STATE_VERSION + 1));
        byte[] truncated = Arrays.copyOf(state, state.length - 5);
        assertThatThrownBy(() -> TorLedger.fromBytes(truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Reads fixture {@code name}.bin (of state version {@code version}) and checks it gives the report printed then. */
    private static TorLedger readWithItsReport(String name, int version) throws IOException {
        byte[] state = fixture(name + ".bin");
        assertThat(state[0]).isEqualTo((byte) version);
        TorLedger l = TorLedger.fromBytes(state);
        assertThat(l.report().toString() + "\n").as(name)
                .isEqualTo(new String(fixture(name + ".report.json"), StandardCharsets.UTF_8));
        return l;
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = TorLedgerStateFormatTest.class.getResourceAsStream("/state-fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
