package io.trainledger.checkpointer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.checkpointer.ledger.LedgerWriter;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.testing.QuarkusKafkaConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The operator's Kafka settings, collected from {@code kafka.*} configuration and {@code KAFKA_*} environment
 * variables by the Quarkus kafka-client extension's own producer method (its {@code default-kafka-broker} bean),
 * reach the checkpointer's producers and its group consumer; the checkpointer's safety keys win.
 */
class OperatorKafkaSettingsTest {
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"checkpointer\" password=\"secret\";";

    private static OperatorKafkaSettings operator() {
        return new OperatorKafkaSettings(QuarkusKafkaConfig.defaultBroker("trainledger-checkpointer", Map.of(
                "kafka.bootstrap.servers", "127.0.0.1:1",
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.acks", "0",
                "kafka.enable.idempotence", "false",
                "kafka.isolation.level", "read_uncommitted",
                "kafka.enable.auto.commit", "true",
                "kafka.group.instance.id", "somebody-else"), Map.of(
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", JAAS)));
    }

    @Test
    void securityReachesTheLedgerProducersWhileAcksAllAndIdempotenceStay() {
        Map<String, Object> p = LedgerWriter.producerConfig("127.0.0.1:1", "checkpointer-ledger-c1", operator());

        assertThat(p).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "checkpointer-ledger-c1")
                .doesNotContainKeys("group.id", "isolation.level", "enable.auto.commit", "group.instance.id");
        // Kafka accepts the merged configuration (SASL/PLAIN over SASL_PLAINTEXT; it never connects).
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()).close(Duration.ZERO);
    }

    @Test
    void securityReachesTheGroupConsumerUnderItsOwnGroupIsolationAndMembership() {
        Map<String, Object> c = SnapshotProcessor.consumerConfig("127.0.0.1:1",
                new SnapshotProcessor.Membership("trainledger-checkpointer", Optional.of("checkpointer-1"),
                        Duration.ofSeconds(10)), "checkpointer-c1", operator());

        assertThat(c).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "trainledger-checkpointer")
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "checkpointer-1")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .doesNotContainKeys("acks", "enable.idempotence");
    }

    @Test
    void withoutAStaticIdTheOperatorCannotMakeTheConsumerStatic() {
        // group.instance.id is the fencing identity: only the checkpointer's own setting may give one.
        Map<String, Object> c = SnapshotProcessor.consumerConfig("127.0.0.1:1",
                new SnapshotProcessor.Membership("trainledger-checkpointer", Optional.empty(), Duration.ofSeconds(10)),
                "checkpointer-c1", operator());
        assertThat(c).doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }
}
