package io.trainledger.checkpointer;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.testing.TrainLedgerStackResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * In the running service, an {@code apicurio.registry.*} client key of the configuration reaches the serdes' registry
 * settings (the test profile sets the client's default value, so nothing else changes).
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
class ClientSettingsWiringTest {
    @Inject
    Checkpointer checkpointer;

    @Test
    void registryClientKeysOfTheConfigurationReachTheSerdes() {
        assertThat(checkpointer.registry().client()).containsEntry("apicurio.registry.tls.verify-host", "true");
    }
}
