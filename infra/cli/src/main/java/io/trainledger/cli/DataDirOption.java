package io.trainledger.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: the data directory of the embedded stack the command talks to (contract 1). */
public final class DataDirOption {
    @Option(names = "--data-dir", defaultValue = "${env:TRAINLEDGER_DATA:-.trainledger}",
            description = "Data directory of the running stack (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    public Path dataDir() {
        return dataDir;
    }
}
