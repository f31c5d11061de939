package io.trainledger.trainer;

import io.trainledger.schemas.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Where the broker and registry are, and the client settings every producer of the trainer shares. */
@ApplicationScoped
public class KafkaSettings {
    private final String bootstrapServers;
    private final RegistrySettings registry;
    private final String instance;

    KafkaSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                  @ConfigProperty(name = "trainledger.registry.url") String registryUrl,
                  TrainerConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.registry = RegistrySettings.of(registryUrl);
        this.instance = config.instance().orElseGet(KafkaSettings::hostAndPid);
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

    /** Idempotent, acks=all: a retried send never duplicates an event on the broker. */
    public Map<String, Object> producerConfig(String purpose) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "trainer-" + purpose + "-" + instance);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        return p;
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
