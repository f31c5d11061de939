package io.trainledger.cli;

import io.trainledger.tor.core.TorEquations;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code trainledger tor model}: TOR of a checkpoint/restart process from the TOR equations (docs/TOR.md).
 * Prints the exact exponential-failure TOR, the first-order TOR, the interval used and the projection to
 * {@code --scale} times the hardware.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "TOR from MTBF, save and repair times (exact Daly form and first-order form).")
public final class TorModelCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--mtbf", required = true, paramLabel = "DURATION", description = "Mean time between failures of the whole job, e.g. 1.8h.")
    String mtbf;

    @Option(names = "--save", required = true, paramLabel = "DURATION", description = "Blocking checkpoint save time (delta), e.g. 30s.")
    String save;

    @Option(names = "--repair", required = true, paramLabel = "DURATION", description = "Repair time per failure (detection + restart + init + restore), e.g. 10m.")
    String repair;

    @Option(names = "--interval", defaultValue = "daly", paramLabel = "DURATION|young|daly", description = "Checkpoint interval (compute between saves): a duration, young or daly (default).")
    String interval;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "K", description = "Project to K times the hardware (failure rate x K). Default 1.")
    double scale;

    @Option(names = "--json", description = "Print JSON: tor, torFirstOrder, intervalSeconds, projectedTor.")
    boolean json;

    /** The computed figures (what tests assert on). */
    public record Result(double tor, double torFirstOrder, double intervalSeconds, double scale,
                         double projectedIntervalSeconds, double projectedTor) {
    }

    @Override
    public Integer call() {
        Result r = compute();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.printf(Locale.ROOT, "{\"tor\":%s,\"torFirstOrder\":%s,\"intervalSeconds\":%s,\"scale\":%s,\"projectedIntervalSeconds\":%s,\"projectedTor\":%s}%n",
                    num(r.tor()), num(r.torFirstOrder()), num(r.intervalSeconds()), num(r.scale()),
                    num(r.projectedIntervalSeconds()), num(r.projectedTor()));
        } else {
            out.printf(Locale.ROOT, "TOR (exact, Daly form)      %.4f%n", r.tor());
            out.printf(Locale.ROOT, "TOR (first order)           %.4f%n", r.torFirstOrder());
            out.printf(Locale.ROOT, "checkpoint interval         %.1f s (%s)%n", r.intervalSeconds(), interval);
            out.printf(Locale.ROOT, "projected TOR at %sx         %.4f (interval %.1f s)%n", num(r.scale()), r.projectedTor(),
                    r.projectedIntervalSeconds());
        }
        out.flush();
        return 0;
    }

    /** Validates the options and evaluates the equations; bad values raise a usage error (exit code 2). */
    public Result compute() {
        double m = positive("--mtbf", mtbf);
        double delta = nonNegative("--save", save);
        double rep = nonNegative("--repair", repair);
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw usage("--scale must be a positive number, got " + scale);
        }
        double tau = interval(delta, m);
        double tor = TorEquations.exact(tau, delta, rep, m);
        double first = TorEquations.firstOrderRollback(tau, delta, rep, m);
        double mk = TorEquations.scaledMtbf(m, scale);
        double tauK = isPolicy() ? interval(delta, mk) : tau;
        double projected = TorEquations.exact(tauK, delta, rep, mk);
        return new Result(tor, first, tau, scale, tauK, projected);
    }

    private boolean isPolicy() {
        String i = interval.trim().toLowerCase(Locale.ROOT);
        return i.equals("young") || i.equals("daly");
    }

    private double interval(double delta, double m) {
        String i = interval.trim().toLowerCase(Locale.ROOT);
        if (i.equals("young") || i.equals("daly")) {
            if (delta == 0) {
                throw usage("--interval " + i + " needs a positive --save (with a free save the optimal interval is 0)");
            }
            return i.equals("young") ? TorEquations.youngInterval(delta, m) : TorEquations.dalyInterval(delta, m);
        }
        return positive("--interval", interval);
    }

    private double positive(String name, String value) {
        double v = parse(name, value);
        if (!(v > 0)) {
            throw usage(name + " must be greater than 0, got '" + value + "'");
        }
        return v;
    }

    private double nonNegative(String name, String value) {
        return parse(name, value);
    }

    private double parse(String name, String value) {
        try {
            return DurationParser.seconds(value);
        } catch (IllegalArgumentException e) {
            throw usage(name + ": " + e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1") : "null";
    }
}
