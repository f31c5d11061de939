package io.trainledger.infra.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the services of a running stack answer over HTTP: {@code endpoints.properties} in the data directory,
 * keys {@code trainer.url}, {@code checkpointer.url}, {@code failure-monitor.url}, {@code tor-aggregator.url}
 * (e.g. {@code http://127.0.0.1:41234}, no trailing slash). Written by {@code up} once every service is ready,
 * removed when it stops.
 */
public record ServiceEndpoints(Map<TrainLedgerService, URI> urls) {
    public static final String FILE = "endpoints.properties";

    public ServiceEndpoints {
        urls = Map.copyOf(urls);
        for (TrainLedgerService s : TrainLedgerService.values()) {
            if (!urls.containsKey(s)) {
                throw new IllegalArgumentException("no URL for " + s.id());
            }
        }
    }

    /** Every service on {@code http://127.0.0.1:<port>}. */
    public static ServiceEndpoints loopback(ServicePorts ports) {
        Map<TrainLedgerService, URI> urls = new EnumMap<>(TrainLedgerService.class);
        for (TrainLedgerService s : TrainLedgerService.values()) {
            urls.put(s, URI.create("http://127.0.0.1:" + ports.port(s)));
        }
        return new ServiceEndpoints(urls);
    }

    public URI url(TrainLedgerService service) {
        return urls.get(service);
    }

    /** A path under a service's base URL, e.g. {@code url(TRAINER, "/api/runs")}. */
    public URI url(TrainLedgerService service, String path) {
        return URI.create(urls.get(service) + (path.startsWith("/") ? path : "/" + path));
    }

    /** The readiness endpoint of a service (SmallRye Health). */
    public URI readiness(TrainLedgerService service) {
        return url(service, "/q/health/ready");
    }

    /** The dashboard, served by the tor-aggregator at its root. */
    public URI dashboard() {
        return url(TrainLedgerService.TOR_AGGREGATOR, "/");
    }

    /** Writes the endpoints file atomically. */
    public Path write(Path dataDir) {
        Properties props = new Properties();
        urls.forEach((s, u) -> props.setProperty(s.endpointKey(), u.toString()));
        try {
            Files.createDirectories(dataDir);
            Path tmp = dataDir.resolve(FILE + ".tmp");
            try (var out = Files.newOutputStream(tmp)) {
                props.store(out, "TrainLedger services of the embedded stack: where they answer (127.0.0.1 only)");
            }
            Path target = dataDir.resolve(FILE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the endpoints file of a data directory; a clear message when the services are not running. */
    public static ServiceEndpoints read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Properties props = new Properties();
        try (var in = Files.newInputStream(file)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the TrainLedger services are not running on " + dataDir.toAbsolutePath()
                    + " (no " + FILE + "; start them with 'trainledger up')");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<TrainLedgerService, URI> urls = new EnumMap<>(TrainLedgerService.class);
        for (TrainLedgerService s : TrainLedgerService.values()) {
            String v = props.getProperty(s.endpointKey());
            if (v == null || v.isBlank()) {
                throw new IllegalStateException(file + " has no " + s.endpointKey());
            }
            urls.put(s, URI.create(v.trim()));
        }
        return new ServiceEndpoints(urls);
    }

    /** Removes the endpoints file (the services stopped). */
    public static void delete(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
