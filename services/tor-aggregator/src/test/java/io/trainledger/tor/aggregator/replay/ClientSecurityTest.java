package io.trainledger.tor.aggregator.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A secured cluster's client settings reach audit's, replay's and the live-report reader's clients, and none of
 * TrainLedger's own settings (read_committed, no auto-commit, exactly-once, the replay's application id) can be
 * changed by them.
 */
public class ClientSecurityTest {
    public static final KafkaClientProperties SECURED = KafkaClientProperties.of(Map.of(
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka/ts.p12",
            // attempts to weaken the readers and the replay
            "isolation.level", "read_uncommitted",
            "enable.auto.commit", "true",
            "group.id", "someone-elses-group",
            "processing.guarantee", "at_least_once",
            "application.id", "trainledger-tor-aggregator"));

    @Test
    void theLiveReportReaderGetsTheSecuritySettingsAndStaysAGrouplessCommittedReader() {
        Map<String, Object> c = LiveReports.consumerConfig("kafka:9093", SECURED);
        assertSecured(c);
        assertThat(c).containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false)
                .containsEntry("bootstrap.servers", "kafka:9093").doesNotContainKey("group.id");
    }

    @Test
    void theReplaysStreamsGetTheSecuritySettingsAndKeepExactlyOnceAndTheirOwnApplicationId() {
        LedgerReplay replay = new LedgerReplay("kafka:9093", SECURED, RegistrySettings.of("http://r/apis/registry/v3"),
                TopologySettings.defaults());
        Properties p = replay.streamsConfig("trainledger-replay-1234", Path.of("/tmp/state"), 2);
        assertThat(p).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ts.p12")
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("application.id", "trainledger-replay-1234")
                .containsEntry("bootstrap.servers", "kafka:9093")
                .containsEntry("state.dir", "/tmp/state").containsEntry("num.stream.threads", 2);
    }

    public static void assertSecured(Map<String, Object> config) {
        assertThat(config).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ts.p12");
        assertThat(config.get("sasl.jaas.config")).asString().contains("ScramLoginModule");
    }
}
