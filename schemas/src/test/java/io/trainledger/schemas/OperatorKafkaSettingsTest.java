package io.trainledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge rules of an operator's Kafka client settings, per client kind (the services test their own wiring). */
class OperatorKafkaSettingsTest {
    private final OperatorKafkaSettings operator = new OperatorKafkaSettings(Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "acks", "0",                         // a producer key TrainLedger sets itself
            "isolation.level", "read_uncommitted", // a consumer key TrainLedger sets itself
            "group.id", "trainledger-trainer",   // what Quarkus derives from the application name
            "transactional.id", "someone",
            "fetch.max.wait.ms", "50",           // a consumer-only key TrainLedger does not set
            "tls-configuration-name", "kafka",   // Quarkus' own SSL engine factory key
            "bootstrap", "not-a-kafka-key"));

    @Test
    void aProducerGetsSecurityAndItsOwnKeysWin() {
        Map<String, Object> p = operator.producer(Map.of("acks", "all", "client.id", "trainer-ledger-1"));
        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("acks", "all").containsEntry("client.id", "trainer-ledger-1")
                .containsEntry("tls-configuration-name", "kafka")
                .doesNotContainKeys("isolation.level", "fetch.max.wait.ms", "group.id", "transactional.id",
                        "bootstrap");
        assertThat(operator.overriddenKeys(Map.of("acks", "all", "client.id", "x"))).containsExactly("acks");
    }

    @Test
    void aConsumerGetsConsumerKeysButNeverAGroupItDidNotAskFor() {
        Map<String, Object> c = operator.consumer(Map.of("isolation.level", "read_committed"));
        assertThat(c).containsEntry("security.protocol", "SASL_SSL").containsEntry("fetch.max.wait.ms", "50")
                .containsEntry("isolation.level", "read_committed")
                .doesNotContainKeys("acks", "group.id", "transactional.id");
        assertThat(operator.consumer(Map.of("group.id", "trainledger-checkpointer")))
                .containsEntry("group.id", "trainledger-checkpointer");
    }

    @Test
    void anAdminClientGetsSecurityOnlyAndNothingShowsSecrets() {
        assertThat(operator.admin(Map.of("bootstrap.servers", "h:9092"))).containsOnlyKeys("security.protocol",
                "sasl.mechanism", "tls-configuration-name", "bootstrap.servers");
        assertThat(new OperatorKafkaSettings(Map.of("sasl.jaas.config", "password=\"s3cret\"")).toString())
                .doesNotContain("s3cret").contains("sasl.jaas.config");
        assertThat(OperatorKafkaSettings.none().producer(Map.of("acks", "all"))).containsOnlyKeys("acks");
    }
}
