package io.trainledger.monitor;

import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Hands Quarkus the monitor's topology, with the registry-backed serdes of the contract (plus the registry client
 * settings of the configuration) and the broker probe.
 */
@ApplicationScoped
public class TopologyProducer {
    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    // @Singleton: no client proxy (the probe is a final class without a no-args constructor)
    @Produces
    @Singleton
    public BrokerProbe brokerProbe(MonitorConfig config) {
        return new BrokerProbe(config.brokerProbeInterval(), config.outageConfirm());
    }

    /**
     * Starts the broker probe once Quarkus has built the Streams configuration (fired before the streams start):
     * the probe's admin client gets its bootstrap servers and its security settings ({@code security.protocol},
     * {@code sasl.*}, {@code ssl.*}, with {@code admin.}-prefixed overrides), from wherever Quarkus took them
     * ({@code quarkus.kafka-streams.*}, {@code kafka-streams.*}, {@code kafka.*}). The probe cannot simply inject
     * the configuration: the topology, which Quarkus needs to build it, needs the probe.
     */
    void startBrokerProbe(@Observes KafkaStreams streams, StreamsConfig streamsConfig, BrokerProbe probe) {
        probe.start(String.join(",", streamsConfig.getList(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)),
                KafkaClientProperties.securityOf(streamsConfig.originals(), StreamsConfig.ADMIN_CLIENT_PREFIX));
    }

    void closeProbe(@Disposes BrokerProbe probe) {
        probe.close();
    }

    @Produces
    public Topology buildTopology(MonitorConfig config, MonitorMetrics metrics, BrokerProbe broker) {
        DetectionSettings settings = config.toSettings();
        LOG.infof("failure monitor %s: %s", settings.instance(), settings);
        StreamsBuilder builder = new StreamsBuilder();
        FailureMonitorTopology.build(builder,
                FailureMonitorTopology.MonitorSerdes.of(registry()), settings, metrics, broker);
        return builder.build();
    }

    /** The registry URL plus any serde client settings (auth, TLS) configured as {@code apicurio.registry.*}. */
    private RegistrySettings registry() {
        Config config = ConfigProvider.getConfig();
        return RegistrySettings.of(registryUrl).withClientSettings(key -> config.getOptionalValue(key, String.class));
    }
}
