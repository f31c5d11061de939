package io.trainledger.tor.aggregator.topology;

import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store that holds no data: it tells its task's processor that the task is about to commit, so that the
 * processor can write what it kept in memory (write-behind) to its real stores inside the commit.
 *
 * <p>Kafka Streams (4.1) commits a task in this order: {@code ProcessorStateManager.flushCache()}, which calls
 * {@link CachedStateStore#flushCache()} on every store of the task (this is how its own record caches reach the
 * changelog), then it flushes the record collector and commits the input offsets with the transaction
 * (exactly_once_v2). A write made from {@link #flushCache()} to a store <em>without</em> a cache therefore reaches the
 * changelog in the same transaction as the input offsets it accounts for, whatever the order of the stores. A task
 * that is aborted instead re-initialises its processor, which drops what it held. {@link CachedStateStore} is an
 * internal interface of Kafka Streams: a change of that contract would show in the topology tests (which read the
 * stores after each commit of the test driver) and in the crash test of infra/e2e.
 */
final class CommitHookStore implements StateStore, CachedStateStore<Object, Object> {
    private final String name;
    private volatile boolean open;
    private Runnable beforeCommit = () -> { };

    CommitHookStore(String name) {
        this.name = name;
    }

    /** The builder to add to the topology. */
    static StoreBuilder<CommitHookStore> builder(String name) {
        return new Builder(name);
    }

    /** Runs {@code action} (on the stream thread) at the start of every commit of this task; replaces any other. */
    void beforeCommit(Runnable action) {
        this.beforeCommit = action;
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
    }

    @Override
    public void clearCache() {
        // Nothing cached here; the processor drops its write-behind state when its task is re-initialised.
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
            throw new IllegalStateException("store " + name + " has no changelog to restore");
        });
        open = true;
    }

    @Override
    public void flush() {
        // No data.
    }

    @Override
    public void close() {
        open = false;
        beforeCommit = () -> { };
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    private record Builder(String name) implements StoreBuilder<CommitHookStore> {
        @Override
        public StoreBuilder<CommitHookStore> withCachingEnabled() {
            throw new UnsupportedOperationException("store " + name + " holds no data to cache");
        }

        @Override
        public StoreBuilder<CommitHookStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitHookStore> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("store " + name + " holds no data to log");
        }

        @Override
        public StoreBuilder<CommitHookStore> withLoggingDisabled() {
            return this;
        }

        @Override
        public CommitHookStore build() {
            return new CommitHookStore(name);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }
    }
}
