package io.trainledger.infra.local.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code down}: asks the stack running on a data directory to stop cleanly, and waits until it has. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop what 'up' started on a data directory: the services, then the registry and the broker "
                + "(the data is kept; the next 'up' continues the ledger).")
public final class DownCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = "${env:TRAINLEDGER_DATA:-.trainledger}",
            description = "Data directory of the stack (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for it to stop (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path pidFile = dataDir.resolve("stack.pid");
        if (!Files.isRegularFile(pidFile)) {
            out.println("No stack is running on " + dataDir.toAbsolutePath() + ".");
            return 0;
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            Files.deleteIfExists(pidFile);
            out.println("The stack on " + dataDir.toAbsolutePath() + " was not running (stale pid " + pid + " removed).");
            return 0;
        }
        handle.get().destroy();
        try {
            handle.get().onExit().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            spec.commandLine().getErr().println("The stack (pid " + pid + ") did not stop within " + timeoutSeconds + " s.");
            return 1;
        }
        out.println("Stack on " + dataDir.toAbsolutePath() + " stopped.");
        return 0;
    }
}
