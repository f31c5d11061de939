package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * In the running service, the operator's settings reach the clients: a {@code kafka.*} key (through the
 * kafka-client extension's map) reaches producer and consumer configurations, and an {@code apicurio.registry.*}
 * client key reaches the serdes' registry settings. Both values set in the test profile are the clients' defaults,
 * so the other tests run unchanged.
 */
@QuarkusTest
@QuarkusTestResource(StackResource.class)
class ClientSettingsWiringTest {
    @Inject
    KafkaSettings settings;

    @Test
    void kafkaKeysOfTheConfigurationReachProducersAndConsumers() {
        assertThat(settings.producerConfig("ledger")).containsEntry("client.dns.lookup", "use_all_dns_ips")
                .containsEntry("acks", "all");
        assertThat(settings.consumerConfig(Map.of("group.id", "g"))).containsEntry("client.dns.lookup",
                "use_all_dns_ips");
    }

    @Test
    void registryClientKeysOfTheConfigurationReachTheSerdes() {
        assertThat(settings.registry().client()).containsEntry("apicurio.registry.tls.verify-host", "true");
    }
}
