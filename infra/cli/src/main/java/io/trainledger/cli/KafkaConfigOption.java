package io.trainledger.cli;

import io.trainledger.infra.local.StackConnection;
import io.trainledger.schemas.KafkaClientProperties;
import io.trainledger.schemas.RegistrySettings;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --kafka-config FILE}: client settings for a secured cluster, as the {@code --command-config} file of Kafka's
 * own tools: Kafka client keys ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config},
 * {@code ssl.truststore.location}, ...) and, for the schema registry, {@code apicurio.registry.auth.*} /
 * {@code apicurio.registry.tls.*} keys. They go over those of the connection file ({@code kafka.*} and
 * {@code apicurio.registry.*} lines there) and under TrainLedger's own client settings (read_committed, no commits).
 * The file is read while parsing: a missing or unreadable file, or an unknown registry key, is a usage error (exit 2).
 */
public final class KafkaConfigOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private KafkaClientProperties file = KafkaClientProperties.none();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties for a secured cluster (security.protocol, sasl.*, ssl.*; like "
                    + "Kafka tools' --command-config), plus optional apicurio.registry.auth.*/tls.* registry client keys.")
    void load(Path path) {
        KafkaClientProperties loaded;
        try {
            loaded = KafkaClientProperties.load(path);
        } catch (NoSuchFileException e) {
            throw new ParameterException(command.commandLine(), "--kafka-config: no such file: " + path);
        } catch (IOException e) {
            throw new ParameterException(command.commandLine(), "--kafka-config: cannot read " + path + ": " + e.getMessage());
        }
        try {
            RegistrySettings.of("http://check/apis/registry/v3").withClientSettings(loaded.asMap());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--kafka-config " + path + ": " + e.getMessage());
        }
        file = loaded;
    }

    /** The connection with the file's settings applied (unchanged without {@code --kafka-config}). */
    public StackConnection applyTo(StackConnection connection) {
        return file.isEmpty() ? connection : connection.withClientConfig(file);
    }

    /** The settings read from the file (none without the option). */
    KafkaClientProperties file() {
        return file;
    }
}
