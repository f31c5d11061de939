package io.trainledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.infra.local.StackConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code --kafka-config FILE} on every command that opens a Kafka or registry client. */
class KafkaConfigOptionTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"audit", "watch", "score"})
    void aMissingFileIsAUsageError(String command) {
        Path absent = dir.resolve("absent.properties");
        CliRun r = CliRun.of(command, "run-1", "--kafka-config", absent.toString(), "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--kafka-config: no such file: " + absent).contains("Usage: trainledger " + command);
    }

    @Test
    void replayTakesItToo() {
        CliRun r = CliRun.of("replay", "--kafka-config", dir.resolve("nope").toString(), "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no such file").contains("Usage: trainledger replay");
        assertThat(CliRun.of("replay", "--help").out()).contains("--kafka-config=FILE");
    }

    @Test
    void anUnknownRegistryKeyInTheFileIsAUsageErrorNamingIt() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SSL\napicurio.registry.auth.user=ledger\n");
        CliRun r = CliRun.of("audit", "run-1", "--kafka-config", file.toString(), "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("apicurio.registry.auth.user").contains("Usage: trainledger audit");
    }

    @Test
    void theFilesSettingsReachTheLedgerReadersConsumerAndTheRegistrySerdes() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";
                ssl.truststore.location=/etc/kafka/ts.p12
                isolation.level=read_uncommitted
                group.id=not-mine
                apicurio.registry.auth.username=ledger
                apicurio.registry.auth.password=pw
                """);
        AuditCommand audit = new AuditCommand();
        new CommandLine(audit).parseArgs("run-1", "--kafka-config", file.toString());
        StackConnection connection = audit.kafkaConfig.applyTo(
                new StackConnection("kafka:9093", "https://registry:8443/apis/registry/v3", ""));

        Map<String, Object> consumer = LedgerFollower.consumerConfig(connection);
        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ts.p12")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("bootstrap.servers", "kafka:9093")
                .doesNotContainKey("group.id");
        assertThat(consumer.get("sasl.jaas.config")).asString().contains("ScramLoginModule");
        assertThat(consumer).doesNotContainKey("apicurio.registry.auth.username");
        assertThat(connection.registry().serdeConfig()).containsEntry("apicurio.registry.auth.username", "ledger")
                .containsEntry("apicurio.registry.auth.password", "pw");
    }

    @Test
    void withoutTheOptionTheConnectionIsUnchanged() {
        WatchCommand watch = new WatchCommand();
        new CommandLine(watch).parseArgs("run-1");
        StackConnection plain = new StackConnection("127.0.0.1:9092", "http://127.0.0.1:8080/apis/registry/v3", "");
        assertThat(watch.kafkaConfig.applyTo(plain)).isSameAs(plain);
        assertThat(LedgerFollower.consumerConfig(plain)).doesNotContainKeys("security.protocol", "sasl.mechanism");
    }
}
