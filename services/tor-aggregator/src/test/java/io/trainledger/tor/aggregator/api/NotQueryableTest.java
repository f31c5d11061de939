package io.trainledger.tor.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.tor.aggregator.topology.ReportSink;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import io.trainledger.tor.aggregator.topology.TorTopology;
import io.trainledger.tor.core.TorLedger;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * A Kafka Streams instance of the production topology that has not started (as while Quarkus waits for the ledger
 * topic, or before the first rebalance): queries answer "unavailable" at once, and HTTP 503 with Retry-After. A real
 * {@link KafkaStreams} object, never started, so no broker is needed.
 */
class NotQueryableTest {

    @Test
    void queriesOfAStreamsInstanceThatIsNotRunningAre503WithRetryAfter() throws Exception {
        StreamsBuilder builder = new StreamsBuilder();
        TorTopology.build(builder, Serdes.serdeFrom((t, v) -> new byte[0], (t, b) -> null),
                Serdes.serdeFrom((t, v) -> new byte[0], (t, b) -> null), TopologySettings.defaults(), ReportSink.NONE);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "not-queryable-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:8085");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("not-queryable").toString());
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            RunQueries queries = new RunQueries();
            queries.streams = streams;
            queries.applicationServer = "127.0.0.1:8085";

            QueryResult<TorLedger> result = queries.ledger("some-run");
            assertThat(result).isInstanceOf(QueryResult.Unavailable.class);
            assertThat(((QueryResult.Unavailable<TorLedger>) result).reason()).contains("CREATED");
            assertThat(queries.timeline("some-run")).isInstanceOf(QueryResult.Unavailable.class);
            assertThat(queries.localLedgers()).isEmpty();

            Response response = QueryResponses.of("some-run", result, l -> l, 2, e -> null);
            assertThat(response.getStatus()).isEqualTo(503);
            assertThat(response.getHeaderString("Retry-After")).isEqualTo("2");
            @SuppressWarnings("unchecked")
            Map<String, Object> body = (Map<String, Object>) response.getEntity();
            assertThat(body).containsEntry("error", "not queryable").containsEntry("retryAfterSeconds", 2);
        }
    }

    @Test
    void anotherOwnerIsA307ToItsAddress() {
        Response response = QueryResponses.of("r", QueryResult.<Object>elsewhere("10.1.2.3", 8086), v -> v, 2,
                e -> java.net.URI.create("http://" + e.address() + "/runs/r"));
        assertThat(response.getStatus()).isEqualTo(307);
        assertThat(response.getHeaderString("Location")).isEqualTo("http://10.1.2.3:8086/runs/r");
    }
}
