package io.trainledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Argument parsing and validation of every subcommand, without a running stack. */
class CommandLineTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"up", "down", "demo", "submit", "status", "watch", "cancel", "chaos", "audit", "replay", "score", "tor"})
    void everySubcommandHasHelp(String name) {
        CliRun r = CliRun.of(name, "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: trainledger " + name);
    }

    @Test
    void missingOrExtraArgumentsPrintAUsageLineAndExit2() {
        for (String[] args : new String[][] {{"submit"}, {"watch"}, {"cancel"}, {"chaos", "run-1"}, {"audit"},
                {"status", "a", "b"}, {"score"}, {"chaos", "run-1", "MELTDOWN"}, {"demo", "--method", "bert"},
                {"demo", "--steps", "0"}, {"demo", "--steps", "ten"}, {"demo", "--no-services"}, {"up", "--broker-port", "-1"},
                {"watch", "r", "--timeout", "-5"}, {"replay", "extra"}, {"replay", "--timeout", "0"}}) {
            CliRun r = CliRun.of(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains("Usage: trainledger");
        }
    }

    @Test
    void stragglerParametersAreCheckedBeforeAnythingIsSent() {
        CliRun r = CliRun.of("chaos", "run-1", "CRASH", "--factor", "3", "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--factor and --seconds apply to STRAGGLER only");
        r = CliRun.of("chaos", "run-1", "STRAGGLER", "--factor", "0.5", "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--factor must be a number > 1");
    }

    @Test
    void theStragglerRequestCarriesTheTrainersParameterNames() {
        ChaosCommand c = new ChaosCommand();
        new CommandLine(c).parseArgs("run-1", "STRAGGLER", "--factor", "4", "--seconds", "12.5");
        JsonNode body = c.faultRequest(c.spec);
        assertThat(body.toString()).isEqualTo("{\"type\":\"STRAGGLER\",\"parameters\":{\"factor\":\"4.0\",\"seconds\":\"12.5\"}}");
    }

    @Test
    void anInvalidRunConfigExits2AndNamesEveryBadField() throws Exception {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "method: COOP\ndataset: hue-shift\nseed: 1\nsteps: -x\nlearningrate: 0.1\n");
        CliRun r = CliRun.of("submit", f.toString(), "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("invalid run configuration").contains("steps: must be a whole number")
                .contains("learningrate: unknown field").contains("checkpoint: is required");
    }

    @Test
    void anUnreadableFileExits2() {
        CliRun r = CliRun.of("submit", dir.resolve("nope.yaml").toString(), "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml: no such file");
    }

    @Test
    void dryRunPrintsTheRequestWithTheRunIdOverride() throws Exception {
        Path f = dir.resolve("run.yml");
        Files.writeString(f, "method: PLPP\ndataset: hue-shift\nseed: 1\nsteps: 20\ncheckpoint: {intervalSteps: 5}\n");
        CliRun r = CliRun.of("submit", f.toString(), "--run-id", "r-42", "--dry-run", "--data-dir", dir.toString());
        assertThat(r.exit()).isZero();
        JsonNode sent = ServiceClient.JSON.readTree(r.out());
        assertThat(sent.get("runId").asText()).isEqualTo("r-42");
        assertThat(sent.get("checkpoint").get("intervalSteps").asInt()).isEqualTo(5);
    }

    @Test
    void commandsThatNeedRunningServicesSaySoWhenTheyAreNot() throws Exception {
        Path f = dir.resolve("run.yml");
        Files.writeString(f, "method: PLPP\ndataset: hue-shift\nseed: 1\nsteps: 20\ncheckpoint: {intervalSteps: 5}\n");
        for (String[] args : new String[][] {{"submit", f.toString()}, {"status"}, {"cancel", "r"}, {"chaos", "r", "HANG"}}) {
            String[] withDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", dir.toString())).toArray(String[]::new);
            CliRun r = CliRun.of(withDir);
            assertThat(r.exit()).as(args[0]).isEqualTo(1);
            assertThat(r.err()).as(args[0]).contains("not running").contains("trainledger up");
        }
        CliRun r = CliRun.of("watch", "r", "--data-dir", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no running stack");
    }
}
