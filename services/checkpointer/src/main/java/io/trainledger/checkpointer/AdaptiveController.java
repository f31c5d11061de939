package io.trainledger.checkpointer;

import io.micrometer.core.instrument.MeterRegistry;
import io.trainledger.checkpointer.adaptive.AdaptiveInterval;
import io.trainledger.checkpointer.ledger.LedgerWriter;
import io.trainledger.checkpointer.ledger.RunCheckpoints;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.FailureDetected;
import io.trainledger.events.RunEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;
import org.jboss.logging.Logger;

/**
 * Reacts to live snapshots and failure verdicts of adaptive runs this instance owns: re-estimates the optimum with
 * {@link AdaptiveInterval} and sends SetCheckpointPolicy on {@code trainledger.commands} when it moved enough.
 */
public final class AdaptiveController implements BiConsumer<RunCheckpoints, RunEvent> {
    private static final Logger LOG = Logger.getLogger(AdaptiveController.class);

    private final AdaptiveInterval adaptive;
    private final LedgerWriter ledger;
    private final IntPredicate owns;
    private final MeterRegistry metrics;

    public AdaptiveController(AdaptiveInterval adaptive, LedgerWriter ledger, IntPredicate owns, MeterRegistry metrics) {
        this.adaptive = adaptive;
        this.ledger = ledger;
        this.owns = owns;
        this.metrics = metrics;
    }

    @Override
    public void accept(RunCheckpoints run, RunEvent event) {
        Object payload = event.getPayload();
        if (!adaptive.settings().enabled()
                || !(payload instanceof CheckpointSnapshotted || payload instanceof FailureDetected)
                || run.finished() || !owns.test(run.partition())) {
            return;
        }
        CheckpointPolicy policy = run.policy();
        if (policy == null) {
            return;
        }
        Optional<AdaptiveInterval.Recommendation> proposal =
                adaptive.evaluate(policy, policy.getIntervalSteps(), run.observations());
        if (proposal.isEmpty() || Integer.valueOf(proposal.get().optimalSteps()).equals(run.lastRecommendedSteps())) {
            return;
        }
        AdaptiveInterval.Recommendation r = proposal.get();
        ledger.send(RunCommand.newBuilder()
                .setCommandId(UUID.randomUUID())
                .setRunId(run.runId())
                .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MICROS))
                .setIssuedBy(ledger.source())
                .setPayload(SetCheckpointPolicy.newBuilder().setPolicy(r.apply(policy)).setReason(r.reason()).build())
                .build());
        run.recommended(r.optimalSteps());
        metrics.counter("trainledger.checkpointer.policy.changes").increment();
        LOG.infof("run %s: asked for intervalSteps %d: %s", run.runId(), r.optimalSteps(), r.reason());
    }
}
