package io.trainledger.checkpointer.rest;

import io.trainledger.checkpointer.Checkpointer;
import io.trainledger.checkpointer.ledger.CommittedCheckpoint;
import io.trainledger.checkpointer.ledger.RunCheckpoints;
import io.trainledger.checkpointer.store.FilesystemCheckpointStore;
import io.trainledger.events.CheckpointPolicy;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Committed checkpoints of a run, for operators and for restoring trainers. 404 (with a message) for an unknown run
 * or a run without a committed checkpoint; 400 for a malformed run id or step.
 */
@Path("/runs/{runId}/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
public class CheckpointResource {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");

    @Inject
    Checkpointer checkpointer;

    /** Every live committed checkpoint of the run, oldest first. */
    @GET
    public Response list(@PathParam("runId") String runId) {
        return run(runId).map(run -> {
            CheckpointPolicy p = run.policy();
            return Response.ok(new RunCheckpointsView(run.runId(),
                    p == null ? null : p.getIntervalSteps(), p == null ? null : p.getAdaptive(),
                    p == null ? null : p.getKeepLast(), p == null ? null : p.getKeepEvery(),
                    run.committed().stream().map(CheckpointView::of).toList())).build();
        }).orElseGet(() -> unknownOrBad(runId));
    }

    /** The newest committed checkpoint's metadata. */
    @GET
    @Path("/latest")
    public Response latest(@PathParam("runId") String runId) {
        return find(runId, null).map(c -> Response.ok(CheckpointView.of(c)).build())
                .orElseGet(() -> missing(runId, null));
    }

    /** The newest committed checkpoint's bytes. */
    @GET
    @Path("/latest/content")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response latestContent(@PathParam("runId") String runId) {
        return find(runId, null).map(this::download).orElseGet(() -> missing(runId, null));
    }

    /** The committed checkpoint at a step. */
    @GET
    @Path("/{step}")
    public Response at(@PathParam("runId") String runId, @PathParam("step") String step) {
        Long s = parseStep(step);
        if (s == null) {
            return badStep(step);
        }
        return find(runId, s).map(c -> Response.ok(CheckpointView.of(c)).build()).orElseGet(() -> missing(runId, s));
    }

    /** The bytes of the committed checkpoint at a step (for falling back when the newest is corrupt). */
    @GET
    @Path("/{step}/content")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response contentAt(@PathParam("runId") String runId, @PathParam("step") String step) {
        Long s = parseStep(step);
        if (s == null) {
            return badStep(step);
        }
        return find(runId, s).map(this::download).orElseGet(() -> missing(runId, s));
    }

    private Optional<RunCheckpoints> run(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            return Optional.empty();
        }
        return checkpointer.index().run(runId);
    }

    private Optional<CommittedCheckpoint> find(String runId, Long step) {
        return run(runId).flatMap(r -> step == null ? r.latest() : r.at(step));
    }

    private Response download(CommittedCheckpoint c) {
        java.nio.file.Path path = ((FilesystemCheckpointStore) checkpointer.store()).pathOf(c.sha256());
        if (!Files.isRegularFile(path)) {
            return ApiError.response(Response.Status.NOT_FOUND, "run " + c.runId() + ": the bytes of the checkpoint at"
                    + " step " + c.step() + " (" + c.sha256() + ") are missing from the store");
        }
        return Response.ok(path.toFile(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + c.runId() + "-step-" + c.step() + ".ckpt\"")
                .header("X-Checkpoint-Sha256", c.sha256())
                .header("X-Checkpoint-Step", c.step())
                .header("ETag", "\"" + c.sha256() + "\"")
                .build();
    }

    private Response missing(String runId, Long step) {
        if (!RUN_ID.matcher(runId).matches() || checkpointer.index().run(runId).isEmpty()) {
            return unknownOrBad(runId);
        }
        return ApiError.response(Response.Status.NOT_FOUND, step == null
                ? "run " + runId + " has no committed checkpoint"
                : "run " + runId + " has no committed checkpoint at step " + step);
    }

    private static Response unknownOrBad(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            return ApiError.response(Response.Status.BAD_REQUEST,
                    "malformed run id: expected 1-200 characters of [A-Za-z0-9._:-], starting with a letter or digit");
        }
        return ApiError.response(Response.Status.NOT_FOUND, "unknown run " + runId);
    }

    private static Long parseStep(String step) {
        try {
            long s = Long.parseLong(step);
            return s < 0 ? null : s;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Response badStep(String step) {
        return ApiError.response(Response.Status.BAD_REQUEST,
                "step must be a non-negative integer or 'latest', got '" + step + "'");
    }
}
