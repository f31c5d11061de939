package io.trainledger.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.infra.local.SmokeRoundTrip;
import io.trainledger.infra.local.StackConnection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Quarkus test resource hands a Quarkus application the live shared stack, with Dev Services off. */
class TrainLedgerStackResourceIT {

    @Test
    void configurationPointsAtTheLiveSharedStack() throws Exception {
        TrainLedgerStackResource resource = new TrainLedgerStackResource();
        Map<String, String> config = resource.start();
        StackConnection shared = TrainLedgerStack.shared();
        assertThat(config)
                .containsEntry("kafka.bootstrap.servers", shared.bootstrapServers())
                .containsEntry("quarkus.kafka-streams.bootstrap-servers", shared.bootstrapServers())
                .containsEntry("mp.messaging.connector.smallrye-kafka.apicurio.registry.url", shared.registryUrl())
                .containsEntry("quarkus.kafka.devservices.enabled", "false")
                .containsEntry("quarkus.apicurio-registry.devservices.enabled", "false");
        StackConnection fromConfig = new StackConnection(config.get("kafka.bootstrap.servers"),
                config.get("apicurio.registry.url"), "");
        assertThat(SmokeRoundTrip.run(fromConfig).runId()).startsWith("smoke-");
        resource.stop();
        // Stopping the resource must not stop the JVM's shared stack: other test classes still use it.
        assertThat(SmokeRoundTrip.run(TrainLedgerStack.shared()).runId()).startsWith("smoke-");
    }
}
