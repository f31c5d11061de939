package io.trainledger.monitor;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the run store's values: a small versioned binary encoding of {@link RunWatch}. Deliberately not Avro
 * through the registry: the store's changelog is private to this service and should not register subjects.
 */
final class RunWatchSerde implements Serde<RunWatch> {
    @Override
    public Serializer<RunWatch> serializer() {
        return (topic, watch) -> watch == null ? null : watch.toBytes();
    }

    @Override
    public Deserializer<RunWatch> deserializer() {
        return (topic, bytes) -> bytes == null ? null : RunWatch.fromBytes(bytes);
    }
}
