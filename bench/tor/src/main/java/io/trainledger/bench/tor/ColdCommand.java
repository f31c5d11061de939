package io.trainledger.bench.tor;

import io.trainledger.schemas.RegistrySettings;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.replay.LedgerReplay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A replay or an audit in a JVM of its own, as an operator runs one from the CLI (nothing compiled yet): started by
 * {@link #inFreshJvm}, which times the whole process. Prints one line, {@code <mode> <seconds in process>
 * <events> <true|false>} (identical / all match), and exits 0 if the result was identical, 1 if not.
 *
 * <p>Arguments: {@code replay|audit bootstrap registryUrl [runId...]} (audit: the runs to audit).
 */
public final class ColdCommand {
    /** The JVM options of the {@code trainledger} launcher script (its {@code exec} line). */
    static final String CLI_JVM_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";

    private ColdCommand() {
    }

    /** Wall time of the child process, the figure it printed, and whether its result was identical / all match. */
    record Result(double processSeconds, double inProcessSeconds, boolean ok) {
    }

    /**
     * Runs this command in a child JVM with this classpath and the CLI's JVM options (or {@code -Dbench.coldJvmFlags})
     * and waits for it.
     */
    static Result inFreshJvm(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(Arrays.asList(System.getProperty("bench.coldJvmFlags", CLI_JVM_FLAGS).trim().split("\\s+")));
        cmd.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp",
                System.getProperty("java.class.path"), ColdCommand.class.getName()));
        cmd.addAll(args);
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        String line = out.lines().filter(l -> l.startsWith(args.get(0) + " ")).findFirst()
                .orElseThrow(() -> new IllegalStateException(args.get(0) + " in a fresh JVM exited " + exit
                        + " without its result line: " + out));
        String[] f = line.split(" ");
        return new Result(seconds, Double.parseDouble(f[1]), exit == 0 && Boolean.parseBoolean(f[3]));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !(args[0].equals("replay") || args[0].equals("audit"))) {
            System.err.println("usage: ColdCommand replay|audit <bootstrap> <registryUrl> [runId...]");
            System.exit(2);
        }
        String bootstrap = args[1];
        RegistrySettings registry = RegistrySettings.of(args[2]);
        long t0 = System.nanoTime();
        long events = 0;
        boolean ok = true;
        if (args[0].equals("replay")) {
            LedgerReplay.Outcome replay = new LedgerReplay(bootstrap, registry).replay(Duration.ofMinutes(30));
            events = replay.ledgerRecords();
            ok = replay.identical();
        } else {
            for (String runId : Arrays.copyOfRange(args, 3, args.length)) {
                LedgerAudit.Outcome audit = new LedgerAudit(bootstrap, registry).audit(runId, Duration.ofMinutes(10));
                events += audit.result().ledgerEvents();
                ok &= audit.result().matchesWholeLedger();
            }
        }
        System.out.printf(Locale.ROOT, "%s %.3f %d %s%n", args[0], (System.nanoTime() - t0) / 1e9, events, ok);
        System.exit(ok ? 0 : 1);
    }
}
