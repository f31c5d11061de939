package io.trainledger.tor.aggregator;

import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.aggregator.topology.ReportSink;
import io.trainledger.tor.aggregator.topology.TorTopology;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The Kafka Streams topology Quarkus runs: {@link TorTopology} with registry serdes, metrics and SSE attached. */
@ApplicationScoped
public class TopologyProducer {

    @ConfigProperty(name = "trainledger.registry.url")
    String registryUrl;

    @Inject
    AggregatorConfig config;

    @Inject
    TorMetrics metrics;

    @Inject
    ReportHub hub;

    @Produces
    public Topology buildTopology() {
        // Registry client settings (auth, TLS) from apicurio.registry.* keys or APICURIO_REGISTRY_* variables, if any.
        Config mp = ConfigProvider.getConfig();
        RegistrySettings registry = RegistrySettings.of(registryUrl)
                .withClientSettings(key -> mp.getOptionalValue(key, String.class));
        ReportSink sink = (report, ledgerTimestampMs) -> {
            metrics.emitted(report, ledgerTimestampMs);
            hub.publish(report);
        };
        StreamsBuilder builder = new StreamsBuilder();
        TorTopology.build(builder, Topics.RUN_EVENTS.valueSerde(registry),
                Topics.TOR.valueSerde(registry), config.topologySettings(), sink);
        return builder.build();
    }
}
