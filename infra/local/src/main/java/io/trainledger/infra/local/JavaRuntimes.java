package io.trainledger.infra.local;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Finds a Java runtime of at least a given feature version, for the registry (Apicurio 3.3 needs Java 21+).
 * Looks, in order, at {@code TRAINLEDGER_JAVA_HOME}, {@code JAVA_HOME}, the running JVM and every JDK under
 * {@code /usr/lib/jvm}, and names everything it looked at when none fits.
 */
public final class JavaRuntimes {
    private JavaRuntimes() {
    }

    /** The {@code bin/java} of the newest suitable runtime among the candidates, in preference order. */
    public static Path findJava(int minFeature) {
        List<String> looked = new ArrayList<>();
        for (Path home : candidates()) {
            Optional<Integer> feature = featureVersion(home);
            looked.add(home + " (" + feature.map(f -> "Java " + f).orElse("not a JDK") + ")");
            Path java = home.resolve("bin").resolve("java");
            if (feature.isPresent() && feature.get() >= minFeature && Files.isExecutable(java)) {
                return java;
            }
        }
        throw new IllegalStateException("The schema registry needs Java " + minFeature + " or newer and none was found. "
                + "Looked at: " + (looked.isEmpty() ? "nothing" : String.join(", ", looked))
                + ". Install one (Debian 13: apt-get install openjdk-21-jdk-headless; or a Temurin JDK under /usr/lib/jvm) "
                + "or point TRAINLEDGER_JAVA_HOME at it.");
    }

    static Set<Path> candidates() {
        Set<Path> homes = new LinkedHashSet<>();
        env("TRAINLEDGER_JAVA_HOME").ifPresent(homes::add);
        env("JAVA_HOME").ifPresent(homes::add);
        homes.add(Path.of(System.getProperty("java.home")));
        Path jvmDir = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvmDir)) {
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jvmDir)) {
                for (Path dir : dirs) {
                    if (Files.isDirectory(dir)) {
                        found.add(dir.toRealPath());
                    }
                }
            } catch (IOException e) {
                // unreadable: nothing to add
            }
            // Newest first among the system JDKs.
            found.sort((a, b) -> Integer.compare(featureVersion(b).orElse(0), featureVersion(a).orElse(0)));
            homes.addAll(found);
        }
        return homes;
    }

    /** The feature version from a JDK's {@code release} file (JAVA_VERSION="25.0.1" gives 25). */
    static Optional<Integer> featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (var in = Files.newInputStream(release)) {
            props.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String version = props.getProperty("JAVA_VERSION", "").replace("\"", "");
        if (version.startsWith("1.")) {
            version = version.substring(2);
        }
        String feature = version.split("[.+-]")[0];
        try {
            return Optional.of(Integer.parseInt(feature));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
    }
}
