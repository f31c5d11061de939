package io.trainledger.trainer;

import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Where the broker and registry are, and the client settings every Kafka client of the trainer is built with: the
 * operator's ({@code kafka.*} keys and {@code KAFKA_*} environment variables, see {@link OperatorKafkaSettings})
 * under the trainer's own, which win.
 */
@ApplicationScoped
public class KafkaSettings {
    private static final Logger LOG = Logger.getLogger(KafkaSettings.class);
    private final String bootstrapServers;
    private final RegistrySettings registry;
    private final String instance;
    private final OperatorKafkaSettings operator;

    @Inject
    KafkaSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                  @ConfigProperty(name = "trainledger.registry.url") String registryUrl,
                  TrainerConfig config,
                  @Identifier("default-kafka-broker") Map<String, Object> operatorKafka,
                  Config mpConfig) {
        // The serdes' registry client settings (apicurio.registry.auth.*, tls.*, proxy.*; env APICURIO_REGISTRY_...),
        // as the Kafka Streams services read them: without them an authenticated registry refuses every schema.
        this(bootstrapServers, RegistrySettings.of(registryUrl).withClientSettings(
                        key -> mpConfig.getOptionalValue(key, String.class)),
                config.instance().orElseGet(KafkaSettings::hostAndPid), new OperatorKafkaSettings(operatorKafka));
        Set<String> overridden = operator.overriddenKeys(producerConfig("ledger"));
        LOG.infof("Kafka client settings from the operator: %s%s", operator.keys(), overridden.isEmpty() ? ""
                : "; ignored where the trainer sets its own (acks, idempotence, ids...): " + overridden);
    }

    KafkaSettings(String bootstrapServers, RegistrySettings registry, String instance,
                  OperatorKafkaSettings operator) {
        this.bootstrapServers = bootstrapServers;
        this.registry = registry;
        this.instance = instance;
        this.operator = operator;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public RegistrySettings registry() {
        return registry;
    }

    /** This process's instance id (event sources, client ids). */
    public String instance() {
        return instance;
    }

    /**
     * Idempotent, acks=all: a retried send never duplicates an event on the broker. The operator's producer settings
     * (security, ...) are under these.
     */
    public Map<String, Object> producerConfig(String purpose) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-" + purpose + "-" + instance);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return operator.producer(p);
    }

    /** A consumer's configuration: the operator's consumer settings under {@code own} (which must hold the ids). */
    public Map<String, Object> consumerConfig(Map<String, Object> own) {
        Map<String, Object> c = new HashMap<>(own);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return operator.consumer(c);
    }

    /** Settings of a dead-letter producer (DeadLetterQueue adds bootstrap, acks=all and idempotence itself). */
    public Map<String, Object> deadLetterConfig(String consumerName) {
        return operator.producer(Map.of(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-dlq-" + consumerName + "-"
                + instance));
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
    }
}
