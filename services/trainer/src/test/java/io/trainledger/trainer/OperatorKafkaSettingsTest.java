package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.testing.QuarkusKafkaConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The operator's Kafka settings, collected from {@code kafka.*} configuration and {@code KAFKA_*} environment
 * variables by the Quarkus kafka-client extension's own producer (the {@code default-kafka-broker} bean), reach the
 * trainer's producers and consumers; the trainer's safety keys win.
 */
class OperatorKafkaSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"trainer\" password=\"secret\";";

    /** What the extension's bean holds for this configuration and environment. */
    private static Map<String, Object> quarkusKafkaMap() {
        return QuarkusKafkaConfig.defaultBroker("trainledger-trainer", Map.of(
                "kafka.bootstrap.servers", "127.0.0.1:1",
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.acks", "0",
                "kafka.enable.idempotence", "false",
                "kafka.isolation.level", "read_uncommitted",
                "kafka.client.id", "operator-chosen"), Map.of(
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", JAAS));
    }

    private static KafkaSettings settings() {
        return new KafkaSettings("127.0.0.1:1", RegistrySettings.of("http://127.0.0.1:1/apis/registry/v3"),
                "trainer-1", new OperatorKafkaSettings(quarkusKafkaMap()));
    }

    @Test
    void securityReachesTheProducersWhileAcksAllAndIdempotenceStay() {
        Map<String, Object> p = settings().producerConfig("ledger");

        assertThat(p).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "trainer-ledger-trainer-1")
                // Consumer-only keys of the map (and the group.id Quarkus derives) are not given to a producer.
                .doesNotContainKeys("group.id", "isolation.level");
        // Kafka itself accepts the merged configuration (a SCRAM client over SASL_PLAINTEXT; it never connects).
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()).close(Duration.ZERO);
    }

    @Test
    void securityReachesTheConsumersUnderTheTrainersGroupAndIds() {
        Map<String, Object> c = settings().consumerConfig(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "trainledger-trainer",
                ConsumerConfig.CLIENT_ID_CONFIG, "trainer-commands-trainer-1",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));

        assertThat(c).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "trainledger-trainer")
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "trainer-commands-trainer-1")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1")
                .doesNotContainKeys("acks", "enable.idempotence");
    }

    @Test
    void aGrouplessLedgerReaderGetsNoGroupIdFromTheOperatorOrQuarkus() {
        // The map holds group.id=trainledger-trainer (Quarkus derives it from the application name): a reader that
        // assigns partitions and relies on offset 0 must not inherit the command group's committed offsets.
        Map<String, Object> c = settings().consumerConfig(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "trainer-ledger-reader-trainer-1",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        assertThat(quarkusKafkaMap()).containsEntry("group.id", "trainledger-trainer");
        assertThat(c).doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG)
                .containsEntry("security.protocol", "SASL_PLAINTEXT");
    }

    @Test
    void theDeadLetterProducerIsSecuredToo() {
        assertThat(settings().deadLetterConfig("trainledger-trainer"))
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "trainer-dlq-trainledger-trainer-trainer-1");
    }

    @Test
    void withoutOperatorSettingsTheConfigIsTheTrainersOwn() {
        KafkaSettings plain = new KafkaSettings("127.0.0.1:1", RegistrySettings.of("http://127.0.0.1:1"), "t",
                OperatorKafkaSettings.none());
        assertThat(plain.producerConfig("ledger")).containsOnlyKeys("bootstrap.servers", "client.id", "acks",
                "enable.idempotence", "linger.ms", "delivery.timeout.ms");
    }
}
