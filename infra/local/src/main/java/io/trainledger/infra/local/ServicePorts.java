package io.trainledger.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * The HTTP port of each service, chosen free on the first start of a data directory and remembered in
 * {@code services.properties} (like the broker's ports in {@code stack.properties}), so that URLs stay stable across
 * restarts of the same data directory.
 */
public record ServicePorts(Map<TrainLedgerService, Integer> ports) {
    public static final String FILE = "services.properties";

    public ServicePorts {
        ports = Map.copyOf(ports);
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Integer p = ports.get(s);
            if (p == null || p <= 0 || p > 65535) {
                throw new IllegalArgumentException("no valid port for " + s.id() + ": " + p);
            }
        }
    }

    public int port(TrainLedgerService service) {
        return ports.get(service);
    }

    /** The remembered ports of a data directory, free ones for services it has none for; saved back. */
    public static ServicePorts resolve(Path dataDir) {
        return resolve(dataDir, Map.of());
    }

    /**
     * Like {@link #resolve(Path)}, with explicit ports (values > 0) taking precedence over remembered ones; what is
     * used is saved.
     */
    public static ServicePorts resolve(Path dataDir, Map<TrainLedgerService, Integer> explicit) {
        Path file = dataDir.resolve(FILE);
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (var in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        Map<TrainLedgerService, Integer> ports = new EnumMap<>(TrainLedgerService.class);
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Integer given = explicit.get(s);
            String remembered = props.getProperty(key(s));
            if (given != null && given > 0) {
                ports.put(s, given);
            } else if (remembered != null) {
                ports.put(s, Integer.parseInt(remembered.trim()));
            } else {
                int port;
                do {
                    port = StackState.freePort();
                } while (ports.containsValue(port));
                ports.put(s, port);
            }
        }
        ServicePorts result = new ServicePorts(ports);
        result.save(dataDir);
        return result;
    }

    /** Ports of this set that something else listens on right now (a left-over process, another program). */
    public Map<TrainLedgerService, Integer> busy() {
        Map<TrainLedgerService, Integer> busy = new EnumMap<>(TrainLedgerService.class);
        ports.forEach((s, p) -> {
            if (!StackState.isFree(p)) {
                busy.put(s, p);
            }
        });
        return busy;
    }

    private void save(Path dataDir) {
        Properties props = new Properties();
        ports.forEach((s, p) -> props.setProperty(key(s), Integer.toString(p)));
        try {
            Files.createDirectories(dataDir);
            try (var out = Files.newOutputStream(dataDir.resolve(FILE))) {
                props.store(out, "TrainLedger services: HTTP ports, kept across restarts of this data directory");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(TrainLedgerService s) {
        return s.id() + ".port";
    }
}
