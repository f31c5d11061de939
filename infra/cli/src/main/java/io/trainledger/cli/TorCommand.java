package io.trainledger.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code trainledger tor ...}: TOR tools. */
@Command(name = "tor", mixinStandardHelpOptions = true, description = "TOR (training overhead ratio) tools.",
        subcommands = {TorModelCommand.class})
public final class TorCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (try: tor model --help)");
    }
}
