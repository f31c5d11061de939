package io.trainledger.e2e;

import io.trainledger.events.RunEvent;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows the ledger live (every partition, from the end offsets at creation) on its own thread and keeps the events
 * of the runs it is told about, so that a test can react within a step or two (kill a process "at step n") without
 * re-reading the topic. Assertions use {@link Ledger#read} afterwards, the authoritative record.
 */
final class LedgerTail implements AutoCloseable {
    private final Map<String, List<RunEvent>> runs = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<RunEvent> values;
    private final Thread thread;
    private volatile boolean running = true;

    LedgerTail(StackConnection stack) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        values = Topics.RUN_EVENTS.valueSerde(stack.registry()).deserializer();
        consumer = new KafkaConsumer<>(props, Topics.RUN_EVENTS.keySerde().deserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = consumer.partitionsFor(Topics.RUN_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(tps);
        consumer.seekToEnd(tps);
        tps.forEach(consumer::position); // fix the starting point now, before any run of the test is submitted
        thread = new Thread(this::loop, "ledger-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts keeping the events of a run (call before submitting it). */
    LedgerTail follow(String runId) {
        runs.putIfAbsent(runId, new ArrayList<>());
        return this;
    }

    /** A copy of the events of a run seen so far. */
    List<RunEvent> events(String runId) {
        List<RunEvent> l = runs.get(runId);
        if (l == null) {
            throw new IllegalArgumentException("not following " + runId);
        }
        synchronized (l) {
            return new ArrayList<>(l);
        }
    }

    /** Whether some event of the run seen so far matches. */
    boolean has(String runId, Predicate<RunEvent> which) {
        return events(runId).stream().anyMatch(which);
    }

    Set<String> followed() {
        return runs.keySet();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    List<RunEvent> l = runs.get(r.key());
                    if (l != null && r.value() != null) {
                        RunEvent e = values.deserialize(r.topic(), r.headers(), r.value());
                        synchronized (l) {
                            l.add(e);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
