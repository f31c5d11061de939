package io.trainledger.checkpointer.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trainledger.checkpointer.CommitFault;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code POST /api/faults/halt-before-commit}, optional body {@code {"runId": "..."}}: arms {@link CommitFault}.
 * Bearer token {@code trainledger.api.token} (503 when none is configured, 401 otherwise); 403 unless
 * {@code trainledger.checkpointer.chaos.enabled=true}; 202 once armed.
 */
@Path("/api/faults")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class FaultResource {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    CommitFault fault;

    @ConfigProperty(name = "trainledger.api.token")
    Optional<String> token;

    /** The armed hook. */
    public record ArmedView(boolean armed, String runId) {
    }

    @POST
    @Path("/halt-before-commit")
    public Response haltBeforeCommit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, String body) {
        Optional<Response> refused = refuse(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (!fault.enabled()) {
            return ApiError.response(Response.Status.FORBIDDEN, "fault injection is disabled on this checkpointer "
                    + "(trainledger.checkpointer.chaos.enabled=false)");
        }
        Optional<String> runId = Optional.empty();
        if (body != null && !body.isBlank()) {
            JsonNode json;
            try {
                json = MAPPER.readTree(body);
            } catch (Exception e) {
                return ApiError.response(Response.Status.BAD_REQUEST, "body is not valid JSON: " + e.getMessage());
            }
            if (json == null || !json.isObject()) {
                return ApiError.response(Response.Status.BAD_REQUEST, "body must be a JSON object");
            }
            for (var names = json.fieldNames(); names.hasNext(); ) {
                String n = names.next();
                if (!n.equals("runId")) {
                    return ApiError.response(Response.Status.BAD_REQUEST, "unknown field '" + n + "' (known: runId)");
                }
            }
            JsonNode r = json.get("runId");
            if (r != null && !r.isNull()) {
                if (!r.isTextual() || !RUN_ID.matcher(r.asText()).matches()) {
                    return ApiError.response(Response.Status.BAD_REQUEST, "runId: malformed run id " + r);
                }
                runId = Optional.of(r.asText());
            }
        }
        fault.arm(runId);
        return Response.accepted(new ArmedView(true, runId.orElse(null))).build();
    }

    private Optional<Response> refuse(String authorization) {
        Optional<String> expected = token.map(String::trim).filter(t -> !t.isEmpty());
        if (expected.isEmpty()) {
            return Optional.of(ApiError.response(Response.Status.SERVICE_UNAVAILABLE,
                    "no API token configured (set trainledger.api.token); mutating endpoints are disabled"));
        }
        String prefix = "Bearer ";
        boolean ok = authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(sha256(expected.get()), sha256(authorization.substring(prefix.length()).trim()));
        if (!ok) {
            Response r = ApiError.response(Response.Status.UNAUTHORIZED, authorization == null
                    ? "missing bearer token (Authorization: Bearer <token>)" : "invalid bearer token");
            return Optional.of(Response.fromResponse(r)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"trainledger\"").build());
        }
        return Optional.empty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
