package io.trainledger.tor.aggregator.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.schemas.RegistrySettings;
import io.trainledger.tor.aggregator.replay.ClientSecurityTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit's reader gets a secured cluster's client settings and stays a groupless read_committed reader. */
class LedgerAuditClientTest {

    @Test
    void theAuditsReaderGetsTheSecuritySettingsAndKeepsItsOwn() {
        LedgerAudit audit = new LedgerAudit("kafka:9093", ClientSecurityTest.SECURED,
                RegistrySettings.of("http://r/apis/registry/v3"));
        Map<String, Object> c = audit.consumerConfig();
        ClientSecurityTest.assertSecured(c);
        assertThat(c).containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false)
                .containsEntry("bootstrap.servers", "kafka:9093").doesNotContainKey("group.id");
    }
}
