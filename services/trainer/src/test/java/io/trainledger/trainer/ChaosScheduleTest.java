package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.ChaosSettings;
import io.trainledger.events.FailureType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {
    private final ChaosSettings settings = ChaosSettings.newBuilder().setMtbfSeconds(2.0)
            .setMix(Map.of("HANG", 1.0, "STRAGGLER", 3.0)).setSeed(42).build();

    @Test
    void isRepeatableForTheSameSeedAndAttempt() {
        assertThat(faults(1, 20)).isEqualTo(faults(1, 20));
        assertThat(faults(2, 20)).isNotEqualTo(faults(1, 20));
    }

    @Test
    void followsTheMeanAndTheMix() {
        List<ChaosSchedule.Fault> f = faults(1, 20_000);
        double meanSeconds = f.get(f.size() - 1).atNanos() / 1e9 / f.size();
        assertThat(meanSeconds).isBetween(1.9, 2.1);
        Map<FailureType, Integer> counts = new EnumMap<>(FailureType.class);
        f.forEach(x -> counts.merge(x.type(), 1, Integer::sum));
        assertThat(counts.keySet()).containsOnly(FailureType.HANG, FailureType.STRAGGLER);
        assertThat(counts.get(FailureType.STRAGGLER) / (double) f.size()).isBetween(0.73, 0.77);
    }

    private List<ChaosSchedule.Fault> faults(int attempt, int n) {
        ChaosSchedule s = new ChaosSchedule(settings, attempt);
        List<ChaosSchedule.Fault> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }
}
