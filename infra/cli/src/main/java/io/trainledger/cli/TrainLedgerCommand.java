package io.trainledger.cli;

import io.trainledger.infra.local.cli.DownCommand;
import io.trainledger.infra.local.cli.UpCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trainledger} command: parses arguments and hands each subcommand to its class. */
@Command(name = "trainledger", mixinStandardHelpOptions = true, version = "trainledger 0.1.0",
        description = "Event-sourced prompt-learning platform with TOR measured continuously.",
        subcommands = {UpCommand.class, DownCommand.class, DemoCommand.class, SubmitCommand.class, StatusCommand.class, WatchCommand.class,
                CancelCommand.class, ChaosCommand.class, AuditCommand.class, ReplayCommand.class, ScoreCommand.class,
                TorCommand.class})
public final class TrainLedgerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    /** A configured command line: usage errors exit 2, as picocli's default. */
    public static CommandLine commandLine() {
        return new CommandLine(new TrainLedgerCommand());
    }

    /** Kept referenced: a logger's level set through a weak reference is lost when it is collected. */
    private static final java.util.logging.Logger APICURIO = java.util.logging.Logger.getLogger("io.apicurio");

    public static void main(String[] args) {
        // The registry client warns on stderr (JUL) about its shared Vert.x instance on every use; not for users.
        APICURIO.setLevel(java.util.logging.Level.SEVERE);
        System.exit(commandLine().execute(args));
    }
}
