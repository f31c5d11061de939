package io.trainledger.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.schemas.KafkaClientProperties;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** Security settings of a secured cluster reach the monitor's own clients; its own settings stay. */
class ClientSecurityTest {
    private static final Map<String, Object> SECURED_STREAMS = Map.of(
            "application.id", "trainledger-failure-monitor",
            "bootstrap.servers", "kafka:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/ts.p12",
            "admin.ssl.truststore.type", "PKCS12",
            "admin.request.timeout.ms", "60000",
            "processing.guarantee", "exactly_once_v2");

    @Test
    void theBrokerProbesAdminGetsTheStreamsSecurityKeysButKeepsItsTimeouts() {
        Map<String, Object> admin = BrokerProbe.adminConfig("kafka:9093",
                KafkaClientProperties.securityOf(SECURED_STREAMS, StreamsConfig.ADMIN_CLIENT_PREFIX), 1000);
        assertThat(admin).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ts.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("request.timeout.ms", 1000)
                .containsEntry("client.id", "trainledger-failure-monitor-broker-probe")
                .doesNotContainKeys("processing.guarantee", "application.id", "admin.request.timeout.ms");
    }

    @Test
    void theScoreReadersConsumerGetsAFilesSettingsButStaysReadCommitted() {
        KafkaClientProperties file = KafkaClientProperties.of(Map.of("security.protocol", "SSL",
                "ssl.truststore.location", "/ts.p12", "isolation.level", "read_uncommitted",
                "enable.auto.commit", "true"));
        var props = file.underProperties(DetectionScoreMain.consumerSettings("kafka:9093"));
        assertThat(props).containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.location", "/ts.p12")
                .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", "false")
                .containsEntry("bootstrap.servers", "kafka:9093");
    }
}
