package io.trainledger.monitor;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.Heartbeat;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The failure monitor's topology, built by one static method so that {@code TopologyTestDriver} tests run exactly
 * the production topology:
 *
 * <pre>
 * trainledger.heartbeats --mapValues--+
 *                                     +--merge--> FailureDetector [run store] --+--> trainledger.run-events
 * trainledger.run-events --mapValues--+                                        +--> trainledger.commands
 * </pre>
 */
public final class FailureMonitorTopology {
    /** Per-run detector state (changelogged). */
    public static final String RUN_STORE = "failure-monitor-runs";

    private FailureMonitorTopology() {
    }

    /** The value serdes the topology reads and writes with. */
    public record MonitorSerdes(Serde<Heartbeat> heartbeats, Serde<RunEvent> runEvents, Serde<RunCommand> commands) {
        /** The contract's registry-backed serdes. */
        public static MonitorSerdes of(RegistrySettings registry) {
            return new MonitorSerdes(Topics.HEARTBEATS.valueSerde(registry), Topics.RUN_EVENTS.valueSerde(registry),
                    Topics.COMMANDS.valueSerde(registry));
        }
    }

    /** Adds the monitor's store, sources, detector and sinks to {@code builder} (a broker that never fails). */
    public static StreamsBuilder build(StreamsBuilder builder, MonitorSerdes serdes, DetectionSettings settings,
                                       VerdictListener listener) {
        return build(builder, serdes, settings, listener, BrokerHealth.ALWAYS_REACHABLE);
    }

    /** Adds the monitor's store, sources, detector and sinks to {@code builder}. */
    public static StreamsBuilder build(StreamsBuilder builder, MonitorSerdes serdes, DetectionSettings settings,
                                       VerdictListener listener, BrokerHealth broker) {
        // In memory, backed by its changelog (logging is on by default): under 1 KB per run and finished runs are
        // dropped, so it restores in well under a second, and it avoids RocksDB's flush on every commit.
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RUN_STORE),
                Serdes.String(), new RunWatchSerde()));

        // Both topics are keyed by run id with the same partition count, so one task sees all of a run's records.
        KStream<String, MonitorInput> heartbeats = builder
                .stream(Topics.HEARTBEATS.name(), Consumed.with(Topics.HEARTBEATS.keySerde(), serdes.heartbeats())
                        .withName("heartbeats"))
                .mapValues(MonitorInput::of, Named.as("heartbeat-input"));
        KStream<String, MonitorInput> ledger = builder
                .stream(Topics.RUN_EVENTS.name(), Consumed.with(Topics.RUN_EVENTS.keySerde(), serdes.runEvents())
                        .withName("ledger"))
                .mapValues(MonitorInput::of, Named.as("ledger-input"));

        // The ledger is also where verdicts go: the monitor reads its own FailureDetected back, which is harmless
        // (the verdict set already holds it) and lets verdicts of other writers suppress ours.
        KStream<String, SpecificRecord> out = heartbeats.merge(ledger, Named.as("inputs"))
                .process(() -> new FailureDetector(settings, listener, broker), Named.as("detector"), RUN_STORE);

        out.filter((runId, v) -> v instanceof RunEvent, Named.as("ledger-output"))
                .mapValues(v -> (RunEvent) v)
                .to(Topics.RUN_EVENTS.name(), Produced.with(Topics.RUN_EVENTS.keySerde(), serdes.runEvents())
                        .withName("verdicts"));
        out.filter((runId, v) -> v instanceof RunCommand, Named.as("command-output"))
                .mapValues(v -> (RunCommand) v)
                .to(Topics.COMMANDS.name(), Produced.with(Topics.COMMANDS.keySerde(), serdes.commands())
                        .withName("restarts"));
        return builder;
    }
}
