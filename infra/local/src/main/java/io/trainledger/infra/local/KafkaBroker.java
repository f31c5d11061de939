package io.trainledger.infra.local;

import io.trainledger.infra.runtime.StackRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one process), run from the Maven
 * artifacts as its own JVM, listening on 127.0.0.1 only. Its storage is formatted on first start and reused after.
 */
final class KafkaBroker {
    private final StackRuntime runtime;
    private final Path dir;
    private final StackState state;

    KafkaBroker(StackRuntime runtime, Path dataDir, StackState state) {
        this.runtime = runtime;
        this.dir = dataDir.resolve("broker");
        this.state = state;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + state.brokerPort();
    }

    Path logDir() {
        return dir.resolve("data");
    }

    /** Writes server.properties and formats the storage if this data directory has never been formatted. */
    void prepare(Path logs) throws IOException, InterruptedException {
        Files.createDirectories(logDir());
        Path config = dir.resolve("server.properties");
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + state.controllerPort());
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + state.brokerPort() + ",CONTROLLER://127.0.0.1:" + state.controllerPort());
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + state.brokerPort());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", logDir().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "10");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "10");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("unclean.leader.election.enable", "false");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "TrainLedger embedded broker (generated at every start)");
        }
        if (!Files.exists(logDir().resolve("meta.properties"))) {
            List<String> cmd = List.of(javaCommand(), "-cp", runtime.brokerClasspath(), "kafka.tools.StorageTool",
                    // "--cluster-id=<id>": an id remembered from before the fix below may start with '-', which
                    // the tool's argument parser would take for an option when given as a separate argument.
                    "format", "--cluster-id=" + state.clusterId(), "-c", config.toString(), "--ignore-formatted");
            ChildProcess format = ChildProcess.start("kafka-storage-format", cmd, dir, logs.resolve("broker-format.log"), Map.of());
            int code = waitFor(format, Duration.ofSeconds(60));
            if (code != 0) {
                throw new IllegalStateException("formatting the broker storage failed (exit " + code + "):\n" + format.logTail(20));
            }
        }
    }

    ChildProcess start(Path logs) throws IOException {
        Path log4j = runtime.writeBrokerLogConfig(dir);
        List<String> cmd = new ArrayList<>(List.of(javaCommand(), "-Xms256m", "-Xmx1g", "-XX:+UseG1GC",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-cp", runtime.brokerClasspath(), "io.trainledger.infra.runtime.ChildWatchdog",
                Long.toString(ProcessHandle.current().pid()), "kafka.Kafka", dir.resolve("server.properties").toString()));
        return ChildProcess.start("kafka-broker", cmd, dir, logs.resolve("broker.log"), Map.of());
    }

    /** Waits until the broker answers a metadata request, or fails with the tail of its log. */
    void awaitReady(ChildProcess process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Wait for the listener first: an admin client pointed at a closed port logs a warning every retry.
        while (!accepts(state.brokerPort())) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited during start-up:\n" + process.logTail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker did not listen within " + timeout + ":\n" + process.logTail(30));
            }
            Thread.sleep(100);
        }
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited during start-up:\n" + process.logTail(30));
                }
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka broker was not ready within " + timeout + ":\n" + process.logTail(30));
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int waitFor(ChildProcess process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (process.isAlive()) {
            if (System.nanoTime() > deadline) {
                process.kill();
                return -1;
            }
            Thread.sleep(50);
        }
        return process.stop(Duration.ZERO);
    }
}
