package io.trainledger.schemas.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class DeadLetterQueueConfigTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";";

    /** What Quarkus hands a Streams application on a SASL_SSL cluster, plus attempts to weaken the producer. */
    private static Map<String, Object> securedStreamsConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put("application.id", "trainledger-failure-monitor");
        c.put("bootstrap.servers", "127.0.0.1:9093");
        c.put("processing.guarantee", "exactly_once_v2");
        c.put("deserialization.exception.handler", DeadLetteringDeserializationHandler.class.getName());
        c.put("security.protocol", "SASL_SSL");
        c.put("sasl.mechanism", "PLAIN");
        c.put("sasl.jaas.config", JAAS);
        c.put("ssl.truststore.location", "/etc/kafka/ts.p12");
        c.put("producer.ssl.truststore.type", "PKCS12");
        c.put("producer.acks", "0");
        c.put("acks", "1");
        c.put("enable.idempotence", "false");
        return c;
    }

    @Test
    void theHandlersProducerGetsTheStreamsSecurityKeysAndKeepsItsOwnSafetyKeys() {
        Map<String, Object> streams = securedStreamsConfig();
        Map<String, Object> producer = DeadLetterQueue.producerConfig(
                DeadLetteringDeserializationHandler.bootstrapServers(streams), "trainledger-failure-monitor",
                DeadLetteringDeserializationHandler.dlqClientProperties(streams).asMap());

        assertThat(producer).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.location", "/etc/kafka/ts.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("bootstrap.servers", "127.0.0.1:9093")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("client.id", "dlq-trainledger-failure-monitor")
                // Streams-only keys do not leak into the producer
                .doesNotContainKeys("processing.guarantee", "application.id", "deserialization.exception.handler",
                        "producer.acks");
    }

    @Test
    void extraSettingsCannotOverrideTheDeadLetterGuarantees() {
        Map<String, Object> producer = DeadLetterQueue.producerConfig("b:9092", "checkpointer",
                Map.of("acks", "0", "enable.idempotence", false, "bootstrap.servers", "elsewhere:9092",
                        "value.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                        "client.id", "my-dlq", "security.protocol", "SSL"));
        assertThat(producer).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("bootstrap.servers", "b:9092").containsEntry("client.id", "my-dlq")
                .containsEntry("security.protocol", "SSL").doesNotContainKey("value.serializer");
    }

    /**
     * The real producer is built from the Streams configuration's security keys: SASL without a JAAS entry fails in
     * the constructor (no broker needed), with one it builds.
     */
    @Test
    void theConfiguredHandlersProducerIsReallyASaslClient() {
        Map<String, Object> withoutJaas = new HashMap<>(securedStreamsConfig());
        withoutJaas.remove("sasl.jaas.config");
        withoutJaas.put("security.protocol", "SASL_PLAINTEXT");
        withoutJaas.remove("ssl.truststore.location");
        assertThatThrownBy(() -> new DeadLetteringDeserializationHandler().configure(withoutJaas))
                .isInstanceOf(KafkaException.class)
                .hasStackTraceContaining("JAAS");

        Map<String, Object> withJaas = new HashMap<>(withoutJaas);
        withJaas.put("sasl.jaas.config", JAAS);
        DeadLetteringDeserializationHandler handler = new DeadLetteringDeserializationHandler();
        handler.configure(withJaas);
        handler.close();
    }
}
