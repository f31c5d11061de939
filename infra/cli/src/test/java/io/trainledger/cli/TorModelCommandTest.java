package io.trainledger.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TorModelCommandTest {

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = TrainLedgerCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void jsonWithDalyInterval() {
        // M = 1.8 h = 6480 s, delta = 30 s, R = 600 s.
        // Daly: sqrt(2 x 30 x 6480) = 623.54; x = 30 / 12960; 623.54 x (1 + sqrt(x)/3 + x/9) - 30 = 603.70 s
        // exact: 603.70 e^(-600/6480) / (6480 (e^(633.70/6480) - 1)) = 0.8266
        // first order: 603.70/633.70 x (1 - (600 + 633.70/2) / 6480) = 0.95266 x 0.85852 = 0.8179
        Run r = run("tor", "model", "--mtbf", "1.8h", "--save", "30s", "--repair", "10m", "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\"tor\":0.8266").contains("\"torFirstOrder\":0.8178")
                .contains("\"intervalSeconds\":603.69").contains("\"projectedTor\":0.8266");
    }

    @Test
    void fixedIntervalAndScaleProjection() {
        // interval 20 min fixed; at scale 4: M = 7200 / 4 = 1800 s, same interval:
        // 1200 e^(-300/1800) / (1800 (e^(1230/1800) - 1)) = 1015.85 / (1800 x 0.98054) = 0.57556
        TorModelCommand cmd = new TorModelCommand();
        CommandLine cl = new CommandLine(cmd);
        cl.parseArgs("--mtbf", "2h", "--save", "30s", "--repair", "5m", "--interval", "20m", "--scale", "4");
        TorModelCommand.Result res = cmd.compute();
        assertThat(res.intervalSeconds()).isEqualTo(1200);
        assertThat(res.projectedIntervalSeconds()).isEqualTo(1200);
        assertThat(res.projectedTor()).isCloseTo(0.57556, within(1e-4));
        assertThat(res.projectedTor()).isLessThan(res.tor());
    }

    @Test
    void humanOutputNamesEveryFigure() {
        Run r = run("tor", "model", "--mtbf", "30m", "--save", "10s", "--repair", "2m", "--interval", "young");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("TOR (exact").contains("TOR (first order)").contains("checkpoint interval")
                .contains("projected TOR");
    }

    @Test
    void badArgumentsExitTwoWithAClearMessage() {
        Run unit = run("tor", "model", "--mtbf", "1.8", "--save", "30s", "--repair", "10m");
        assertThat(unit.exit()).isEqualTo(2);
        assertThat(unit.err()).contains("--mtbf: '1.8' is not a duration");
        Run zero = run("tor", "model", "--mtbf", "0h", "--save", "30s", "--repair", "10m");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--mtbf must be greater than 0");
        Run missing = run("tor", "model", "--save", "30s");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required options");
        Run scale = run("tor", "model", "--mtbf", "1h", "--save", "30s", "--repair", "1m", "--scale", "0");
        assertThat(scale.exit()).isEqualTo(2);
        assertThat(scale.err()).contains("--scale must be a positive number");
        Run interval = run("tor", "model", "--mtbf", "1h", "--save", "0s", "--repair", "1m", "--interval", "daly");
        assertThat(interval.exit()).isEqualTo(2);
        assertThat(interval.err()).contains("needs a positive --save");
        Run noSub = run("tor");
        assertThat(noSub.exit()).isEqualTo(2);
    }

    @Test
    void durations() {
        assertThat(DurationParser.seconds("1.8h")).isCloseTo(6480, within(1e-9));
        assertThat(DurationParser.seconds("30s")).isEqualTo(30);
        assertThat(DurationParser.seconds("10m")).isEqualTo(600);
        assertThat(DurationParser.seconds("250ms")).isEqualTo(0.25);
        assertThat(DurationParser.seconds("2d")).isEqualTo(172_800);
    }
}
