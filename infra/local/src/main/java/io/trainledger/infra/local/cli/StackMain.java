package io.trainledger.infra.local.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Stand-alone entry of the embedded stack ({@code up}, {@code down}); the {@code trainledger} CLI embeds the same commands. */
@Command(name = "trainledger-stack", mixinStandardHelpOptions = true,
        subcommands = {UpCommand.class, DownCommand.class},
        description = "The TrainLedger embedded stack: a real Kafka broker (KRaft) and Apicurio Registry on 127.0.0.1.")
public final class StackMain implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StackMain()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: up or down");
    }
}
