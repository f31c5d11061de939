package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainledger.schemas.KafkaClientProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StackConnectionTest {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedStacksFileRoundTripsWithoutClientSettings() {
        StackConnection c = new StackConnection("127.0.0.1:19092", "http://127.0.0.1:18080/apis/registry/v3",
                "http://127.0.0.1:19000/health/ready");
        c.write(dir);
        StackConnection read = StackConnection.read(dir);
        assertThat(read).isEqualTo(c);
        assertThat(read.kafkaClient().isEmpty()).isTrue();
        assertThat(read.registry().serdeConfig()).isEqualTo(c.registry().serdeConfig());
        assertThat(read.ccompatUrl()).isEqualTo("http://127.0.0.1:18080/apis/ccompat/v7");
    }

    @Test
    void kafkaAndRegistryClientSettingsInTheConnectionFileReachTheClients() throws Exception {
        Files.writeString(dir.resolve(StackConnection.FILE), """
                kafka.bootstrap.servers=kafka:9093
                kafka.security.protocol=SASL_SSL
                kafka.sasl.mechanism=SCRAM-SHA-512
                kafka.ssl.truststore.location=/etc/kafka/ts.p12
                registry.url=https://registry:8443/apis/registry/v3
                apicurio.registry.auth.username=ledger
                apicurio.registry.auth.password=pw
                """);
        StackConnection c = StackConnection.read(dir);
        assertThat(c.bootstrapServers()).isEqualTo("kafka:9093");
        assertThat(c.kafkaClient().asMap()).containsOnly(Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"), Map.entry("ssl.truststore.location", "/etc/kafka/ts.p12"));
        assertThat(c.registry().serdeConfig()).containsEntry("apicurio.registry.auth.username", "ledger")
                .containsEntry("apicurio.registry.auth.password", "pw")
                .containsEntry("apicurio.registry.url", "https://registry:8443/apis/registry/v3");

        // and survive a rewrite
        c.write(dir.resolve("copy"));
        assertThat(StackConnection.read(dir.resolve("copy"))).isEqualTo(c);
    }

    @Test
    void aClientConfigFileOverridesTheConnectionFilesSettings() {
        StackConnection c = new StackConnection("kafka:9093", "https://r/apis/registry/v3", "",
                KafkaClientProperties.of(Map.of("security.protocol", "SSL", "ssl.truststore.type", "PKCS12")),
                Map.of("apicurio.registry.auth.username", "old"));
        StackConnection withFile = c.withClientConfig(KafkaClientProperties.of(Map.of(
                "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "apicurio.registry.auth.username", "new", "apicurio.registry.tls.truststore.location", "/r.p12")));
        assertThat(withFile.kafkaClient().asMap()).containsOnly(Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("ssl.truststore.type", "PKCS12"), Map.entry("sasl.mechanism", "PLAIN"));
        assertThat(withFile.registryClient()).containsOnly(Map.entry("apicurio.registry.auth.username", "new"),
                Map.entry("apicurio.registry.tls.truststore.location", "/r.p12"));
    }

    @Test
    void anUnknownRegistryClientKeyIsNamed() {
        StackConnection c = new StackConnection("k:9092", "http://r/apis/registry/v3", "", KafkaClientProperties.none(),
                Map.of("apicurio.registry.auth.pasword", "x"));
        assertThatThrownBy(c::registry).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("apicurio.registry.auth.pasword");
    }
}
