package io.trainledger.testing;

import io.quarkus.kafka.client.runtime.KafkaRuntimeConfigProducer;
import io.quarkus.runtime.ApplicationConfig;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * What the Quarkus kafka-client extension's {@code default-kafka-broker} bean holds for a given configuration: built
 * by the extension's own producer, so that the services' wiring tests start from the real map without booting Quarkus.
 */
public final class QuarkusKafkaConfig {
    private QuarkusKafkaConfig() {
    }

    /**
     * @param applicationName {@code quarkus.application.name} (the extension derives the default client id from it)
     * @param properties      {@code kafka.*} keys, as in {@code application.properties}
     * @param environment     {@code KAFKA_*} environment variables (they win over the properties)
     */
    public static Map<String, Object> defaultBroker(String applicationName, Map<String, String> properties,
                                                    Map<String, String> environment) {
        Config config = new SmallRyeConfigBuilder().withSources(
                new PropertiesConfigSource(properties, "application.properties", 250),
                new EnvConfigSource(environment, 300)).build();
        return new KafkaRuntimeConfigProducer().createKafkaRuntimeConfig(config, new ApplicationConfig() {
            @Override
            public Optional<String> name() {
                return Optional.of(applicationName);
            }

            @Override
            public Optional<String> version() {
                return Optional.empty();
            }

            @Override
            public Optional<String> uiHeader() {
                return Optional.empty();
            }
        });
    }
}
