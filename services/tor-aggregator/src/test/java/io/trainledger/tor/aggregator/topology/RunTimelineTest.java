package io.trainledger.tor.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunTimelineTest {

    @Test
    void secondsAreWhatPercentPointThreeFPrints() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long nanos = switch (i % 5) {
                case 0 -> random.nextLong(1_000_000_000_000L);
                case 1 -> random.nextLong(10_000_000L);
                case 2 -> random.nextLong(1_000_000) * 1_000_000L + 500_000L; // exactly half a millisecond
                case 3 -> -random.nextLong(10_000_000L); // negative, some rounding to -0.000
                default -> random.nextLong(100_000) * 1_000_000L;
            };
            assertThat(RunTimeline.seconds(nanos)).as("%d ns", nanos)
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", nanos / 1e9));
        }
        for (long extreme : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE / 2, -Long.MAX_VALUE / 3}) {
            assertThat(RunTimeline.seconds(extreme)).isEqualTo(String.format(Locale.ROOT, "%.3f", extreme / 1e9));
        }
    }

    @Test
    void secondsByHand() {
        assertThat(RunTimeline.seconds(0)).isEqualTo("0.000");
        assertThat(RunTimeline.seconds(999_999)).isEqualTo("0.001");
        assertThat(RunTimeline.seconds(1_234_567_890)).isEqualTo("1.235");
        assertThat(RunTimeline.seconds(61_000_400_000L)).isEqualTo("61.000");
        assertThat(RunTimeline.seconds(-2_500_000)).isEqualTo("-0.003");
        assertThat(RunTimeline.seconds(-400_000)).isEqualTo("-0.000");
        assertThat(RunTimeline.secondsOfMicros(2_500_400)).isEqualTo("2.500");
        assertThat(RunTimeline.secondsOfMicros(Long.MAX_VALUE)).isEqualTo(String.format(Locale.ROOT, "%.3f",
                Long.MAX_VALUE / 1e6));
    }
}
