package io.trainledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {

    @Test
    void loadsAClientPropertiesFileAndTrainLedgersKeysWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # as for kafka-console-consumer --command-config
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";
                ssl.truststore.location=/etc/kafka/truststore.p12
                acks=0
                enable.idempotence=false
                """);
        KafkaClientProperties client = KafkaClientProperties.load(file);

        Map<String, Object> config = client.under(Map.of("bootstrap.servers", "b:9093", "acks", "all",
                "enable.idempotence", true));

        assertThat(config).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("bootstrap.servers", "b:9093");
        assertThat(config.get("sasl.jaas.config").toString()).contains("ScramLoginModule");
        assertThat(client.toString()).contains("SASL_SSL").doesNotContain("password=\"p\"").contains("[hidden]");
    }

    @Test
    void aMissingFileIsNoSuchFile(@TempDir Path dir) {
        assertThatThrownBy(() -> KafkaClientProperties.load(dir.resolve("absent.properties")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void securityOfAStreamsConfigurationTakesSecurityKeysAndTheClientsPrefixedOverrides() {
        Map<String, Object> streams = Map.of(
                "application.id", "trainledger-tor-aggregator",
                "bootstrap.servers", "b:9093",
                "processing.guarantee", "exactly_once_v2",
                "security.protocol", "SSL",
                "ssl.truststore.location", "/ts.p12",
                "ssl.keystore.location", "/ks-default.p12",
                "producer.ssl.keystore.location", "/ks-producer.p12",
                "producer.acks", "1",
                "admin.ssl.keystore.location", "/ks-admin.p12",
                // Quarkus' spelling of a typed key also lands in the Streams configuration: not a client key
                "ssl.endpoint-identification-algorithm", "https");

        assertThat(KafkaClientProperties.securityOf(streams, "producer.").asMap()).containsOnly(
                Map.entry("security.protocol", "SSL"), Map.entry("ssl.truststore.location", "/ts.p12"),
                Map.entry("ssl.keystore.location", "/ks-producer.p12"));
        assertThat(KafkaClientProperties.securityOf(streams, "admin.").asMap())
                .containsEntry("ssl.keystore.location", "/ks-admin.p12").hasSize(3);
        assertThat(KafkaClientProperties.securityOf(streams, "").asMap())
                .containsEntry("ssl.keystore.location", "/ks-default.p12").hasSize(3);
        assertThat(KafkaClientProperties.securityOf(Map.of("bootstrap.servers", "b:9092"), "producer.").isEmpty())
                .isTrue();
    }

    @Test
    void aLaterSourceOverridesAnEarlierOne() {
        KafkaClientProperties file = KafkaClientProperties.of(Map.of("security.protocol", "SASL_SSL"));
        KafkaClientProperties connection = KafkaClientProperties.of(Map.of("security.protocol", "SSL",
                "ssl.truststore.type", "PKCS12"));
        assertThat(connection.overriddenBy(file).asMap()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"), Map.entry("ssl.truststore.type", "PKCS12"));
        assertThat(connection.overriddenBy(KafkaClientProperties.none())).isEqualTo(connection);
    }
}
