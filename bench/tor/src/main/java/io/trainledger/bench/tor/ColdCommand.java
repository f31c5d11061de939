package io.trainledger.bench.tor;

import io.trainledger.schemas.RegistrySettings;
import io.trainledger.tor.aggregator.audit.LedgerAudit;
import io.trainledger.tor.aggregator.replay.LedgerReplay;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * A replay or an audit in a JVM of its own, as an operator runs one from the CLI (nothing compiled yet): started by
 * {@link AggregatorBench}, which times the whole process. Prints one line, {@code <mode> <seconds in process>
 * <events> <true|false>} (identical / all match), and exits 0 if the result was identical, 1 if not.
 *
 * <p>Arguments: {@code replay|audit bootstrap registryUrl [runId...]} (audit: the runs to audit).
 */
public final class ColdCommand {
    private ColdCommand() {
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
