package io.trainledger.tor.aggregator.topology;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Decoded values of the most recently active runs, in front of a state store: always the object last written to the
 * store (or read from it), so the hot path decodes a run's value once, not per event. Least recently used runs are
 * dropped beyond the capacity; the owner clears it whenever its task is (re)initialised, so a task restored after an
 * aborted transaction reads the store again. One stream thread only.
 */
final class RunCache<V> {
    private final Map<String, V> values;

    RunCache(int capacity) {
        this.values = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached value, else {@code load}'s (cached unless null). */
    V get(String runId, Function<String, V> load) {
        V value = values.get(runId);
        if (value == null) {
            value = load.apply(runId);
            if (value != null) {
                values.put(runId, value);
            }
        }
        return value;
    }

    /** Records the value just written to the store. */
    void put(String runId, V value) {
        values.put(runId, value);
    }

    void clear() {
        values.clear();
    }
}
