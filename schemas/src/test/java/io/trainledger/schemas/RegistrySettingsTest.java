package io.trainledger.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistrySettingsTest {
    private static final String URL = "https://registry:8443/apis/registry/v3";

    @Test
    void withoutClientSettingsTheSerdeConfigurationIsUnchanged() {
        RegistrySettings plain = RegistrySettings.of(URL);
        RegistrySettings lookedUp = plain.withClientSettings(key -> Optional.empty());

        assertThat(lookedUp).isEqualTo(plain);
        assertThat(lookedUp.serdeConfig()).isEqualTo(plain.serdeConfig());
        assertThat(plain.serdeConfig().keySet()).noneMatch(k -> k.startsWith("apicurio.registry.auth.")
                || k.startsWith("apicurio.registry.tls."));
    }

    @Test
    void clientSettingsFromConfigurationReachTheSerdesWithoutChangingTrainLedgersKeys() {
        Map<String, String> config = Map.of(
                "apicurio.registry.auth.username", "ledger",
                "apicurio.registry.auth.password", "s3cret",
                "apicurio.registry.tls.truststore.location", "/etc/trainledger/registry-ca.p12",
                "apicurio.registry.tls.truststore.type", "PKCS12",
                "apicurio.registry.tls.truststore.password", "changeit");
        RegistrySettings settings = RegistrySettings.of(URL)
                .withClientSettings(key -> Optional.ofNullable(config.get(key)));

        Map<String, Object> serde = settings.serdeConfig();
        assertThat(serde).containsAllEntriesOf(config)
                .containsEntry("apicurio.registry.url", URL)
                .containsEntry("apicurio.registry.use-id", "contentId")
                .containsEntry("apicurio.registry.auto-register", true)
                .containsEntry("apicurio.registry.find-latest", false)
                .containsEntry("apicurio.registry.dereference-schema", true);
        assertThat(settings.toString()).contains("ledger").doesNotContain("s3cret").doesNotContain("changeit");
    }

    @Test
    void clientSettingsFromAPropertiesMapIgnoreOtherKeysAndRejectUnknownRegistryKeys() {
        RegistrySettings settings = RegistrySettings.of(URL).withClientSettings(Map.of(
                "security.protocol", "SSL",
                "apicurio.registry.auth.service.token.endpoint", "https://sso/token",
                "apicurio.registry.auth.client.id", "trainledger",
                "apicurio.registry.auth.client.secret", "x"));
        assertThat(settings.client()).containsOnlyKeys("apicurio.registry.auth.service.token.endpoint",
                "apicurio.registry.auth.client.id", "apicurio.registry.auth.client.secret");

        assertThatThrownBy(() -> RegistrySettings.of(URL).withClientSettings(Map.of("apicurio.registry.auth.user", "u")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("apicurio.registry.auth.user").hasMessageContaining("apicurio.registry.auth.username");
    }
}
