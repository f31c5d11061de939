package io.trainledger.schemas;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka client settings the operator gives a service ({@code kafka.*} configuration keys and {@code KAFKA_*}
 * environment variables, collected by the Quarkus kafka-client extension into its {@code default-kafka-broker}
 * map): SASL, TLS and any other client key, merged into every producer, consumer and admin client the service
 * builds. Shared by the trainer and the checkpointer (the services with plain Kafka clients); framework-free, the
 * services hand it the extension's map.
 *
 * <p>TrainLedger's own keys win ({@code acks=all}, idempotence, isolation level, group and client ids, bootstrap
 * servers, offsets not auto-committed): operator settings can secure or tune a client where TrainLedger sets
 * nothing, never weaken the ledger's guarantees; group, instance and transactional ids and serdes are never taken
 * from the operator at all. Keys that are not configs of the client being built are left
 * out (the map also holds, e.g., the {@code group.id} Quarkus derives from the application name, which a producer
 * would only warn about), except {@code tls-configuration-name}, which Quarkus's own SSL engine factory reads.
 */
public final class OperatorKafkaSettings {
    /**
     * Identities and serdes only TrainLedger may set, even where it sets none: a group-less ledger reader given the
     * {@code group.id} Quarkus derives from the application name would start from that group's committed offsets
     * instead of offset 0, and a {@code group.instance.id} is a fencing identity.
     */
    private static final Set<String> RESERVED = Set.of("group.id", "group.instance.id", "transactional.id",
            "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");
    /** Non-Kafka keys of the Quarkus map that a Kafka client must still receive. */
    private static final Set<String> QUARKUS_CLIENT_KEYS = Set.of("tls-configuration-name");

    private final Map<String, Object> values;

    public OperatorKafkaSettings(Map<String, ?> values) {
        Map<String, Object> copy = new TreeMap<>();
        values.forEach((k, v) -> {
            if (k != null && v != null) {
                copy.put(k, v);
            }
        });
        this.values = Collections.unmodifiableMap(copy);
    }

    /** No operator settings (a PLAINTEXT cluster, TrainLedger's defaults). */
    public static OperatorKafkaSettings none() {
        return new OperatorKafkaSettings(Map.of());
    }

    /** A producer's configuration: the operator's producer keys, then {@code own} over them. */
    public Map<String, Object> producer(Map<String, ?> own) {
        return merge(ProducerConfig.configNames(), own);
    }

    /** A consumer's configuration: the operator's consumer keys, then {@code own} over them. */
    public Map<String, Object> consumer(Map<String, ?> own) {
        return merge(ConsumerConfig.configNames(), own);
    }

    /** An admin client's configuration: the operator's admin keys, then {@code own} over them. */
    public Map<String, Object> admin(Map<String, ?> own) {
        return merge(AdminClientConfig.configNames(), own);
    }

    /** The operator's key names (not the values: they may hold secrets), for the start-up log. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Operator keys that a client of this kind ignores because TrainLedger sets them itself. */
    public Set<String> overriddenKeys(Map<String, ?> own) {
        Set<String> overridden = new TreeSet<>(values.keySet());
        overridden.retainAll(own.keySet());
        // Same value (e.g. kafka.bootstrap.servers, which is where both come from): nothing was overridden.
        overridden.removeIf(k -> String.valueOf(values.get(k)).equals(String.valueOf(own.get(k))));
        return overridden;
    }

    private Map<String, Object> merge(Set<String> clientKeys, Map<String, ?> own) {
        Map<String, Object> config = new HashMap<>();
        values.forEach((k, v) -> {
            if ((clientKeys.contains(k) || QUARKUS_CLIENT_KEYS.contains(k)) && !RESERVED.contains(k)) {
                config.put(k, v);
            }
        });
        config.putAll(own);
        return config;
    }

    @Override
    public String toString() {
        // Names only: sasl.jaas.config and the ssl passwords are secrets.
        return "OperatorKafkaSettings" + values.keySet();
    }
}
