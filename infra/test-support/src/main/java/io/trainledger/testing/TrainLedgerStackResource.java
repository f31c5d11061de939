package io.trainledger.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trainledger.infra.local.StackConnection;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: the shared stack of the test JVM, handed to the application as configuration (Kafka
 * clients, SmallRye Kafka channels, Kafka Streams and the Apicurio serdes). Dev Services stay off: no Docker.
 *
 * <pre>{@code @QuarkusTest @QuarkusTestResource(TrainLedgerStackResource.class) class TrainerIT { ... }}</pre>
 */
public final class TrainLedgerStackResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        StackConnection c = TrainLedgerStack.shared();
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", c.bootstrapServers());
        config.put("quarkus.kafka-streams.bootstrap-servers", c.bootstrapServers());
        config.put("mp.messaging.connector.smallrye-kafka.apicurio.registry.url", c.registryUrl());
        config.put("apicurio.registry.url", c.registryUrl());
        config.put("trainledger.registry.url", c.registryUrl());
        config.put("quarkus.kafka.devservices.enabled", "false");
        config.put("quarkus.apicurio-registry.devservices.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        // The stack is shared by every test of the JVM and stops with it.
    }
}
