package io.trainledger.trainer;

import io.trainledger.commands.CancelRun;
import io.trainledger.commands.InjectFault;
import io.trainledger.commands.RestartRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.commands.SubmitRun;
import io.trainledger.events.RunRejected;
import io.trainledger.events.RunSubmitted;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What each command does to a run this instance owns. Refusals become {@code RunRejected} events naming the command,
 * the field and the reason, and nothing else happens.
 */
@ApplicationScoped
public class CommandHandler {
    private static final Logger LOG = Logger.getLogger(CommandHandler.class);
    private final OwnedRuns runs;
    private final LedgerWriter writer;
    private final TrainerConfig config;
    private final SubmitValidator validator;

    CommandHandler(OwnedRuns runs, LedgerWriter writer, TrainerConfig config) {
        this.runs = runs;
        this.writer = writer;
        this.config = config;
        this.validator = SubmitValidator.forProceduralWorld(config.chaos().enabled());
    }

    /** Handles one command read from {@code partition} of the commands topic. */
    public void handle(int partition, RunCommand command) {
        String runId = command.getRunId();
        Object payload = command.getPayload();
        if (payload instanceof SubmitRun s) {
            submit(partition, command, s);
        } else if (payload instanceof CancelRun c) {
            if (!runs.cancel(runId, c.getReason())) {
                reject(command, "runId", "run '" + runId + "' is not running here (unknown or finished)");
            }
        } else if (payload instanceof RestartRun r) {
            OwnedRuns.Restart outcome = runs.restart(runId, r.getFailedAttempt());
            LOG.infof("[run %s] RestartRun (failed attempt %s, cause %s, %s): %s", runId, r.getFailedAttempt(),
                    r.getCause(), r.getReason(), outcome);
        } else if (payload instanceof SetCheckpointPolicy p) {
            Optional<Rejection> bad = SubmitValidator.validate(p.getPolicy());
            if (bad.isPresent()) {
                reject(command, bad.get().field(), bad.get().reason());
            } else if (!runs.setPolicy(runId, p.getPolicy())) {
                reject(command, "runId", "run '" + runId + "' is not running here (unknown or finished)");
            } else {
                LOG.infof("[run %s] checkpoint interval now %d steps (%s)", runId, p.getPolicy().getIntervalSteps(),
                        p.getReason());
            }
        } else if (payload instanceof InjectFault f) {
            if (!config.chaos().enabled()) {
                reject(command, "type", "fault injection is disabled on this trainer "
                        + "(trainledger.trainer.chaos.enabled=false)");
            } else if (f.getType() == null || !SubmitValidator.INJECTABLE.contains(f.getType())) {
                reject(command, "type", f.getType() + " is not injectable " + SubmitValidator.INJECTABLE);
            } else if (!runs.inject(runId, f)) {
                reject(command, "runId", "run '" + runId + "' has no running attempt here");
            }
        } else {
            reject(command, "payload", "unknown command " + (payload == null ? null : payload.getClass().getName()));
        }
    }

    private void submit(int partition, RunCommand command, SubmitRun submit) {
        String runId = command.getRunId();
        String commandId = command.getCommandId().toString();
        Optional<RunState> known = runs.known(runId);
        if (known.isPresent() && commandId.equals(known.get().submitCommandId())) {
            LOG.debugf("[run %s] SubmitRun %s already accepted (redelivery)", runId, commandId);
            return;
        }
        Optional<Rejection> rejection = validator.validate(runId, submit, known.isPresent());
        if (rejection.isPresent()) {
            reject(command, rejection.get().field(), rejection.get().reason());
            return;
        }
        RunState run = new RunState(runId, partition, submit.getConfig(), submit.getIdealStepSeconds(), commandId);
        writer.appendAndWait(writer.event(runId, 0, RunSubmitted.newBuilder()
                .setConfig(submit.getConfig())
                .setIdealStepSeconds(submit.getIdealStepSeconds())
                .setSubmittedBy(command.getIssuedBy() == null ? ""
                        : command.getIssuedBy().getService() + "/" + command.getIssuedBy().getInstance())
                .setCommandId(commandId)
                .build()), config.snapshotAckTimeout());
        LOG.infof("[run %s] submitted: %s %s, %d steps, seed %d", runId, submit.getConfig().getMethod(),
                submit.getConfig().getDataset(), submit.getConfig().getSteps(), submit.getConfig().getSeed());
        runs.submitted(run);
    }

    private void reject(RunCommand command, String field, String reason) {
        String type = command.getPayload() == null ? "unknown" : command.getPayload().getClass().getSimpleName();
        LOG.warnf("[run %s] %s %s rejected: %s: %s", command.getRunId(), type, command.getCommandId(), field, reason);
        writer.appendAndWait(writer.event(command.getRunId(), 0, RunRejected.newBuilder()
                .setCommandId(command.getCommandId().toString())
                .setCommand(type)
                .setField(field)
                .setReason(reason)
                .build()), config.snapshotAckTimeout());
    }
}
