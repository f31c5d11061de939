package io.trainledger.bench.tor;

import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.aggregator.replay.LiveReports;
import io.trainledger.tor.aggregator.topology.ReportSink;
import io.trainledger.tor.aggregator.topology.TopologySettings;
import io.trainledger.tor.aggregator.topology.TorTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;

/** The production topology with the service's Kafka Streams settings, writing to trainledger.tor. */
final class BenchAggregator implements AutoCloseable {
    static final String APP_ID = "trainledger-tor-aggregator";
    private static final String STREAMS_OVERRIDE = "bench.kafka-streams.";
    private final KafkaStreams streams;
    private final Admin admin;
    private final String bootstrap;
    private final String appId;
    private long created;
    private PassCpu cpu;
    private volatile long runningSince;
    final long ledgerRecords;

    BenchAggregator(String bootstrap, RegistrySettings registry, Path stateDir, String appId, String reportTopic) {
        this.bootstrap = bootstrap;
        this.appId = appId;
        Map<TopicPartition, Long> ends = LiveReports.endOffsets(bootstrap, Topics.RUN_EVENTS.name(),
                Duration.ofSeconds(30));
        ledgerRecords = ends.values().stream().mapToLong(Long::longValue).sum();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        StreamsBuilder builder = new StreamsBuilder();
        TorTopology.build(builder, Topics.RUN_EVENTS.valueSerde(registry), Topics.TOR.valueSerde(registry),
                TopologySettings.defaults(), ReportSink.NONE, reportTopic);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // As application.properties: exactly_once_v2, commit every 100 ms, stream threads
        // (-Dbench.streamThreads, default the service's).
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.getInteger("bench.streamThreads", 1));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                "io.trainledger.schemas.dlq.DeadLetteringDeserializationHandler");
        // Tuning experiments: -Dbench.kafka-streams.<key>=<value> adds or overrides a Kafka Streams setting.
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(STREAMS_OVERRIDE))
                .forEach(k -> p.put(k.substring(STREAMS_OVERRIDE.length()), System.getProperty(k)));
        streams = new KafkaStreams(builder.build(), p);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && runningSince == 0) {
                runningSince = System.nanoTime();
            }
        });
        cpu = PassCpu.start();
        created = System.nanoTime();
        streams.start();
    }

    /**
     * Waits until the whole ledger is committed; prints the time from the start of the application and from
     * RUNNING (after the group join, transactions' initialisation and task assignment); returns records per
     * second from the start, the figure compared with the plain consumer (whose time includes its own
     * assignment and first fetch).
     */
    double timeCatchUp(String label) throws Exception {
        awaitCaughtUp(Duration.ofMinutes(30));
        long end = System.nanoTime();
        double seconds = (end - created) / 1e9;
        // The stream threads only (<appId>-<uuid>-StreamThread-<n>), not their clients' network threads.
        long streamThreadsCpu = PassCpu.threadsNamed(Pattern.quote(appId) + "-[0-9a-f-]+-StreamThread-\\d+");
        System.out.printf(Locale.ROOT, "%s: caught up with %,d ledger records in %.1f s (%.1f s from RUNNING; "
                + "stream threads' %s)%n", label, ledgerRecords, seconds,
                runningSince == 0 ? Double.NaN : (end - runningSince) / 1e9, cpu.line(ledgerRecords, streamThreadsCpu));
        return ledgerRecords / seconds;
    }

    void awaitCaughtUp(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> target = LiveReports.endOffsets(bootstrap, Topics.RUN_EVENTS.name(),
                Duration.ofSeconds(30));
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            boolean done = target.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            if (done) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the aggregator did not catch up in " + timeout);
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        admin.close();
    }
}
