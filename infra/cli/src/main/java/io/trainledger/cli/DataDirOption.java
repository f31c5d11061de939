package io.trainledger.cli;

import io.trainledger.infra.local.StackConnection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --data-dir}: the data directory of the embedded stack the command talks to (contract 1). */
public final class DataDirOption {
    @Option(names = "--data-dir", defaultValue = "${env:TRAINLEDGER_DATA:-.trainledger}",
            description = "Data directory of the running stack (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    public Path dataDir() {
        return dataDir;
    }

    /**
     * The connection file of the running stack, or empty after telling {@code err} why there is none (no stack on
     * this data directory, unreadable file): the commands then exit with 1.
     */
    public Optional<StackConnection> connection(PrintWriter err) {
        try {
            return Optional.of(StackConnection.read(dataDir));
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }
}
