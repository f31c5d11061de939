package io.trainledger.trainer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trainledger.commands.CancelRun;
import io.trainledger.commands.InjectFault;
import io.trainledger.commands.SubmitRun;
import io.trainledger.events.FailureType;
import io.trainledger.events.RunConfig;
import io.trainledger.trainer.OwnedRuns;
import io.trainledger.trainer.Rejection;
import io.trainledger.trainer.SubmitValidator;
import io.trainledger.trainer.TrainerConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The command API (contract 2 in the project notes): submit, cancel, inject a fault. Each call is authorised by the
 * bearer token, validated synchronously (a 400 names every bad field and publishes nothing), then published to
 * {@code trainledger.commands}; 202 once Kafka acknowledged it. What the owning trainer then does is on the ledger.
 */
@Path("/api/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class RunCommandsResource {
    /** The run ids the checkpointer's REST API also accepts. */
    static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ApiToken token;
    private final CommandPublisher publisher;
    private final SubmitValidator validator;
    private final OwnedRuns runs;
    private final boolean chaosEnabled;

    RunCommandsResource(ApiToken token, CommandPublisher publisher, OwnedRuns runs, TrainerConfig config) {
        this.token = token;
        this.publisher = publisher;
        this.runs = runs;
        this.chaosEnabled = config.chaos().enabled();
        this.validator = SubmitValidator.forProceduralWorld(chaosEnabled);
    }

    /** Accepted: the command is in the log. */
    public record Accepted(String runId, String status, String commandId) {
    }

    @POST
    public Response submit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, String body) {
        Optional<Response> refused = token.refuse(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        JsonNode json;
        try {
            json = parseObject(body, true);
        } catch (BadBody e) {
            return e.response();
        }
        ObjectNode config = ((ObjectNode) json).deepCopy();
        List<AvroJson.FieldError> errors = new ArrayList<>();
        String runId = null;
        JsonNode runIdNode = config.remove("runId");
        if (runIdNode == null || runIdNode.isNull()) {
            runId = "run-" + UUID.randomUUID();
        } else if (!runIdNode.isTextual() || !RUN_ID.matcher(runIdNode.asText()).matches()) {
            errors.add(new AvroJson.FieldError("runId", "must be a string of letters, digits, '.', '_', ':' or '-' "
                    + "(at most 200, starting with a letter or digit), not " + runIdNode));
        } else {
            runId = runIdNode.asText();
        }
        Double ideal = null;
        JsonNode idealNode = config.remove("idealStepSeconds");
        if (idealNode != null && !idealNode.isNull()) {
            if (!idealNode.isNumber()) {
                errors.add(new AvroJson.FieldError("idealStepSeconds", "must be a number, not " + idealNode));
            } else {
                ideal = idealNode.doubleValue();
            }
        }
        AvroJson.Result<RunConfig> read = AvroJson.read(config, RunConfig.class, RunConfig.getClassSchema());
        errors.addAll(read.errors());
        if (!errors.isEmpty()) {
            return ApiErrors.invalid(errors);
        }
        SubmitRun submit = SubmitRun.newBuilder().setConfig(read.value()).setIdealStepSeconds(ideal).build();
        Optional<Rejection> rejection = validator.validate(runId, submit, runs.known(runId).isPresent());
        if (rejection.isPresent()) {
            return ApiErrors.invalid(List.of(new AvroJson.FieldError(rejection.get().field(),
                    rejection.get().reason())));
        }
        return publish(runId, submit, "submitted");
    }

    @POST
    @Path("/{runId}/cancel")
    public Response cancel(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @PathParam("runId") String runId, String body) {
        Optional<Response> refused = token.refuse(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            checkRunId(runId);
            JsonNode json = parseObject(body, false);
            String reason = "cancelled over REST";
            List<AvroJson.FieldError> errors = unknownFields(json, Set.of("reason"));
            JsonNode r = json == null ? null : json.get("reason");
            if (r != null && !r.isNull()) {
                if (!r.isTextual()) {
                    errors.add(new AvroJson.FieldError("reason", "must be a string, not " + r));
                } else if (!r.asText().isBlank()) {
                    reason = r.asText();
                }
            }
            if (!errors.isEmpty()) {
                return ApiErrors.invalid(errors);
            }
            return publish(runId, new CancelRun(reason), "cancel requested");
        } catch (BadBody e) {
            return e.response();
        }
    }

    @POST
    @Path("/{runId}/faults")
    public Response fault(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                          @PathParam("runId") String runId, String body) {
        Optional<Response> refused = token.refuse(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!chaosEnabled) {
            return ApiErrors.of(Response.Status.FORBIDDEN,
                    "fault injection is disabled on this trainer (trainledger.trainer.chaos.enabled=false)");
        }
        try {
            checkRunId(runId);
            JsonNode json = parseObject(body, true);
            List<AvroJson.FieldError> errors = unknownFields(json, Set.of("type", "parameters"));
            JsonNode t = json.get("type");
            FailureType type = null;
            if (t == null || !t.isTextual()) {
                errors.add(new AvroJson.FieldError("type", "is required: one of " + SubmitValidator.INJECTABLE));
            } else {
                try {
                    type = FailureType.valueOf(t.asText());
                } catch (IllegalArgumentException e) {
                    type = null;
                }
                if (type == null || !SubmitValidator.INJECTABLE.contains(type)) {
                    errors.add(new AvroJson.FieldError("type", "must be one of " + SubmitValidator.INJECTABLE
                            + ", not " + t));
                }
            }
            Map<String, String> parameters = new HashMap<>();
            JsonNode p = json.get("parameters");
            if (p != null && !p.isNull()) {
                if (!p.isObject()) {
                    errors.add(new AvroJson.FieldError("parameters", "must be an object, not " + p));
                } else {
                    for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        JsonNode v = e.getValue();
                        if (v.isTextual() || v.isNumber()) {
                            parameters.put(e.getKey(), v.asText());
                        } else {
                            errors.add(new AvroJson.FieldError("parameters." + e.getKey(),
                                    "must be a string or a number, not " + v));
                        }
                    }
                }
            }
            if (!errors.isEmpty()) {
                return ApiErrors.invalid(errors);
            }
            return publish(runId, InjectFault.newBuilder().setType(type).setParameters(parameters).build(),
                    "fault requested");
        } catch (BadBody e) {
            return e.response();
        }
    }

    private Response publish(String runId, org.apache.avro.specific.SpecificRecord payload, String status) {
        try {
            UUID id = publisher.publish(runId, payload);
            return Response.accepted(new Accepted(runId, status, id.toString())).build();
        } catch (CommandPublisher.NotAcknowledged e) {
            return ApiErrors.of(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
        }
    }

    private static void checkRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new BadBody(ApiErrors.invalid(List.of(new AvroJson.FieldError("runId",
                    "must be letters, digits, '.', '_', ':' or '-' (at most 200, starting with a letter or digit)"))));
        }
    }

    /** The body as a JSON object; an empty body is null unless required. */
    private static JsonNode parseObject(String body, boolean required) {
        if (body == null || body.isBlank()) {
            if (required) {
                throw new BadBody(ApiErrors.of(Response.Status.BAD_REQUEST, "a JSON object body is required"));
            }
            return null;
        }
        JsonNode json;
        try {
            json = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadBody(ApiErrors.of(Response.Status.BAD_REQUEST,
                    "body is not valid JSON: " + e.getOriginalMessage()));
        }
        if (json == null || !json.isObject()) {
            throw new BadBody(ApiErrors.of(Response.Status.BAD_REQUEST, "body must be a JSON object"));
        }
        return json;
    }

    private static List<AvroJson.FieldError> unknownFields(JsonNode json, Set<String> known) {
        List<AvroJson.FieldError> errors = new ArrayList<>();
        if (json != null) {
            json.fieldNames().forEachRemaining(n -> {
                if (!known.contains(n)) {
                    errors.add(new AvroJson.FieldError(n, "unknown field (known: " + known + ")"));
                }
            });
        }
        return errors;
    }

    /** A request that is refused before anything is published. */
    private static final class BadBody extends RuntimeException {
        private final transient Response response;

        BadBody(Response response) {
            super(null, null, false, false);
            this.response = response;
        }

        Response response() {
            return response;
        }
    }
}
