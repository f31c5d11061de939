package io.trainledger.monitor;

import io.trainledger.schemas.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Hands Quarkus the monitor's topology, with the registry-backed serdes of the contract. */
@ApplicationScoped
public class TopologyProducer {
    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @Produces
    public Topology buildTopology(MonitorConfig config, MonitorMetrics metrics) {
        DetectionSettings settings = config.toSettings();
        LOG.infof("failure monitor %s: %s", settings.instance(), settings);
        StreamsBuilder builder = new StreamsBuilder();
        FailureMonitorTopology.build(builder,
                FailureMonitorTopology.MonitorSerdes.of(RegistrySettings.of(registryUrl)), settings, metrics);
        return builder.build();
    }
}
