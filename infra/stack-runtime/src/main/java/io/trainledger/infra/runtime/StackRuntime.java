package io.trainledger.infra.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What Maven resolved for the embedded stack at build time: the broker's runtime classpath, the Apicurio Registry
 * tarball, and this jar (which holds {@link ChildWatchdog}). Paths point into the local Maven repository.
 */
public final class StackRuntime {
    private static final String BASE = "/io/trainledger/infra/runtime/";

    private final List<Path> brokerClasspath;
    private final Path registryTarball;
    private final String kafkaVersion;
    private final String registryVersion;
    private final Path ownLocation;

    private StackRuntime(List<Path> brokerClasspath, Path registryTarball, String kafkaVersion, String registryVersion,
                         Path ownLocation) {
        this.brokerClasspath = brokerClasspath;
        this.registryTarball = registryTarball;
        this.kafkaVersion = kafkaVersion;
        this.registryVersion = registryVersion;
        this.ownLocation = ownLocation;
    }

    /** Reads the resources written by the build. */
    public static StackRuntime load() {
        Properties props = new Properties();
        try (InputStream in = resource("runtime.properties")) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String classpath;
        try (InputStream in = resource("broker.classpath")) {
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> entries = new ArrayList<>();
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry));
            }
        }
        Path own;
        try {
            own = Path.of(ChildWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new StackRuntime(List.copyOf(entries), Path.of(props.getProperty("apicurio.tarball")),
                props.getProperty("kafka.version"), props.getProperty("apicurio.version"), own);
    }

    private static InputStream resource(String name) {
        InputStream in = StackRuntime.class.getResourceAsStream(BASE + name);
        if (in == null) {
            throw new IllegalStateException("missing build resource " + BASE + name + ": rebuild infra/stack-runtime");
        }
        return in;
    }

    /** Broker classpath plus this jar, checked to exist (a wiped Maven repository needs a rebuild). */
    public String brokerClasspath() {
        List<String> parts = new ArrayList<>();
        parts.add(ownLocation.toString());
        for (Path p : brokerClasspath) {
            if (!Files.exists(p)) {
                throw new IllegalStateException("broker classpath entry " + p + " is missing: run ./mvnw install -DskipTests");
            }
            parts.add(p.toString());
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    public Path registryTarball() {
        if (!Files.isRegularFile(registryTarball)) {
            throw new IllegalStateException("Apicurio Registry distribution " + registryTarball
                    + " is missing: run ./mvnw install -DskipTests (it downloads io.apicurio:apicurio-registry-app:"
                    + registryVersion + ":tar.gz:all from Maven Central)");
        }
        return registryTarball;
    }

    /** Location of this jar (or classes directory), to put {@link ChildWatchdog} on a child's classpath. */
    public Path ownLocation() {
        return ownLocation;
    }

    /** The broker's log4j2 configuration, copied out of this jar. */
    public Path writeBrokerLogConfig(Path dir) throws IOException {
        Path target = dir.resolve("broker-log4j2.properties");
        try (InputStream in = resource("broker-log4j2.properties")) {
            Files.createDirectories(dir);
            Files.write(target, in.readAllBytes());
        }
        return target;
    }

    public String kafkaVersion() {
        return kafkaVersion;
    }

    public String registryVersion() {
        return registryVersion;
    }
}
