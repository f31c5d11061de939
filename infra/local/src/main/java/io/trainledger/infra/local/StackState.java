package io.trainledger.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/**
 * What a data directory remembers between starts ({@code stack.properties}): the cluster id the broker's storage was
 * formatted with and the ports chosen the first time.
 */
record StackState(String clusterId, int brokerPort, int controllerPort, int registryPort, int registryManagementPort) {
    static final String FILE = "stack.properties";

    /** Loads the remembered state, filling anything new from the settings (0 = a free port now). */
    static StackState resolve(StackSettings settings) {
        Path file = settings.dataDir().resolve(FILE);
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (var in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        String clusterId = props.getProperty("cluster.id", randomClusterId());
        return new StackState(clusterId,
                port(settings.brokerPort(), props, "broker.port"),
                port(settings.controllerPort(), props, "controller.port"),
                port(settings.registryPort(), props, "registry.port"),
                port(settings.registryManagementPort(), props, "registry.management.port"));
    }

    void save(Path dataDir) {
        Properties props = new Properties();
        props.setProperty("cluster.id", clusterId);
        props.setProperty("broker.port", Integer.toString(brokerPort));
        props.setProperty("controller.port", Integer.toString(controllerPort));
        props.setProperty("registry.port", Integer.toString(registryPort));
        props.setProperty("registry.management.port", Integer.toString(registryManagementPort));
        try {
            Files.createDirectories(dataDir);
            try (var out = Files.newOutputStream(dataDir.resolve(FILE))) {
                props.store(out, "TrainLedger embedded stack: kept across restarts of this data directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int port(int configured, Properties remembered, String key) {
        if (configured > 0) {
            return configured;
        }
        String value = remembered.getProperty(key);
        if (value != null) {
            return Integer.parseInt(value);
        }
        return freePort();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what kafka-storage random-uuid prints),
     * never starting with '-' (as Kafka's own {@code Uuid.randomUuid()}: command-line parsers take such a value for an
     * option; about one id in 64 did, and formatting the broker's storage failed).
     */
    static String randomClusterId() {
        while (true) {
            UUID uuid = UUID.randomUUID();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(16);
            buf.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }
}
