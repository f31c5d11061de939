package io.trainledger.tor.aggregator.api;

import io.trainledger.tor.aggregator.topology.RunTimeline;
import io.trainledger.tor.aggregator.topology.TimelineStore;
import io.trainledger.tor.aggregator.topology.TorTopology;
import io.trainledger.tor.core.TorLedger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Interactive queries over the aggregator's stores: finds the instance that owns a run ({@code queryMetadataForKey}),
 * reads the local store when it is this one, names the owner otherwise, and says so when the stores are not
 * queryable (never waits).
 */
@ApplicationScoped
public class RunQueries {

    @Inject
    KafkaStreams streams;

    /** This instance's {@code application.server} (host:port), as other instances see it. */
    @ConfigProperty(name = "quarkus.kafka-streams.application-server")
    String applicationServer;

    /** The current fold of a run. */
    public QueryResult<TorLedger> ledger(String runId) {
        return query(TorTopology.LEDGER_STORE, runId,
                store -> this.<TorLedger>store(TorTopology.LEDGER_STORE).get(runId));
    }

    /** The bounded timeline of a run. */
    public QueryResult<RunTimeline> timeline(String runId) {
        return query(TorTopology.TIMELINE_STORE, runId,
                store -> TimelineStore.read(this.<byte[]>store(TorTopology.TIMELINE_STORE), runId));
    }

    /** Runs folded by this instance, with their current ledgers; empty when the store is not queryable. */
    public Optional<List<TorLedger>> localLedgers() {
        if (!queryable()) {
            return Optional.empty();
        }
        try (KeyValueIterator<String, TorLedger> it = this.<TorLedger>store(TorTopology.LEDGER_STORE).all()) {
            List<TorLedger> out = new ArrayList<>();
            it.forEachRemaining(kv -> out.add(kv.value));
            return Optional.of(out);
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    /** The other instances of this application (host:port), to which a full listing fans out. */
    public List<String> otherInstances() {
        HostInfo self = HostInfo.buildFromEndpoint(applicationServer);
        List<String> out = new ArrayList<>();
        for (StreamsMetadata m : streams.streamsMetadataForStore(TorTopology.LEDGER_STORE)) {
            if (!m.hostInfo().equals(self)) {
                out.add(m.hostInfo().host() + ":" + m.hostInfo().port());
            }
        }
        return out;
    }

    public String self() {
        return applicationServer;
    }

    /**
     * Answers from the local store if this instance owns {@code runId}, else names the owner; {@code read} reads the
     * run's value from the local store (null: not found).
     */
    private <T> QueryResult<T> query(String storeName, String runId, Function<String, T> read) {
        if (!queryable()) {
            return QueryResult.unavailable("the aggregator is " + streams.state());
        }
        KeyQueryMetadata meta;
        try {
            meta = streams.queryMetadataForKey(storeName, runId, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return QueryResult.unavailable(e.getMessage());
        }
        if (meta == null || KeyQueryMetadata.NOT_AVAILABLE.equals(meta)) {
            return QueryResult.unavailable("the owner of run " + runId + " is not known yet (rebalancing)");
        }
        HostInfo owner = meta.activeHost();
        if (!owner.equals(HostInfo.buildFromEndpoint(applicationServer))) {
            return QueryResult.elsewhere(owner.host(), owner.port());
        }
        try {
            T value = read.apply(storeName);
            return value == null ? QueryResult.notFound() : QueryResult.found(value);
        } catch (InvalidStateStoreException e) {
            return QueryResult.unavailable("store " + storeName + " is not queryable: " + e.getMessage());
        }
    }

    private boolean queryable() {
        KafkaStreams.State state = streams.state();
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
