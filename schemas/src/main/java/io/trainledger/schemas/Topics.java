package io.trainledger.schemas;

import io.apicurio.registry.serde.avro.AvroSerde;
import io.trainledger.commands.RunCommand;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.tor.TorReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The catalogue of TrainLedger topics (DESIGN section 3). Every service and tool takes names, serdes and topic
 * settings from here, so a change to the contract is a change in one place.
 */
public final class Topics {

    /** The ledger: every fact about every run, keyed by run id, kept forever. */
    public static final Topic<String, RunEvent> RUN_EVENTS = avro("trainledger.run-events", RunEvent.class, 6, Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime"));

    /** Liveness of running attempts, keyed by run id; only recent history matters. */
    public static final Topic<String, Heartbeat> HEARTBEATS = avro("trainledger.heartbeats", Heartbeat.class, 6, Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(6).toMillis()),
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));

    /** Requests about runs, keyed by run id. */
    public static final Topic<String, RunCommand> COMMANDS = avro("trainledger.commands", RunCommand.class, 6, Map.of(
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE));

    /** Latest TOR report per run, keyed by run id. */
    public static final Topic<String, TorReport> TOR = avro("trainledger.tor", TorReport.class, 6, Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis())));

    /** Records no consumer could decode or process: original key and bytes plus reason headers. */
    public static final Topic<byte[], byte[]> DLQ = new Topic<>("trainledger.dlq", byte[].class, byte[].class, 1,
            Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(28).toMillis()),
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE),
            Serdes.ByteArray(), registry -> Serdes.ByteArray());

    private static final List<Topic<?, ?>> ALL = List.of(RUN_EVENTS, HEARTBEATS, COMMANDS, TOR, DLQ);

    private Topics() {
    }

    /** Every topic of the contract, in provisioning order. */
    public static List<Topic<?, ?>> all() {
        return ALL;
    }

    /** An Apicurio Avro value serde for a SpecificRecord type, configured as a value serde. */
    public static <T extends SpecificRecord> Serde<T> avroValueSerde(RegistrySettings registry) {
        AvroSerde<T> serde = new AvroSerde<>();
        serde.configure(registry.serdeConfig(), false);
        return serde;
    }

    private static <V extends SpecificRecord> Topic<String, V> avro(String name, Class<V> type, int partitions,
                                                                    Map<String, String> config) {
        // Keys are run ids: many records per run, so the key deserializer hands back the instance it decoded last time.
        return new Topic<>(name, String.class, type, partitions, config,
                Serdes.serdeFrom(new StringSerializer(), new RunIdDeserializer()), Topics::avroValueSerde);
    }
}
