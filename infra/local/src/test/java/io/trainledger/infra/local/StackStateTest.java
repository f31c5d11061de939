package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class StackStateTest {

    @Test
    void clusterIdsAreKafkaShapedAndNeverLookLikeAnOption() {
        // One id in 64 starts with '-' when drawn uniformly; 20,000 draws without one cannot happen by chance
        // (probability (63/64)^20000, about 1e-137), so this fails if the filter is gone.
        for (int i = 0; i < 20_000; i++) {
            String id = StackState.randomClusterId();
            assertThat(id).hasSize(22).doesNotStartWith("-");
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
        }
    }
}
