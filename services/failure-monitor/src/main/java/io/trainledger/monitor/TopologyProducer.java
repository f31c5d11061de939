package io.trainledger.monitor;

import io.trainledger.schemas.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Hands Quarkus the monitor's topology, with the registry-backed serdes of the contract and the broker probe. */
@ApplicationScoped
public class TopologyProducer {
    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @ConfigProperty(name = "quarkus.kafka-streams.bootstrap-servers")
    String bootstrapServers;

    // @Singleton: no client proxy (the probe is a final class without a no-args constructor)
    @Produces
    @Singleton
    public BrokerProbe brokerProbe(MonitorConfig config) {
        return new BrokerProbe(bootstrapServers, config.brokerProbeInterval(), config.outageConfirm());
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
                FailureMonitorTopology.MonitorSerdes.of(RegistrySettings.of(registryUrl)), settings, metrics, broker);
        return builder.build();
    }
}
