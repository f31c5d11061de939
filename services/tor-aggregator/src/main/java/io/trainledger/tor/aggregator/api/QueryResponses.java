package io.trainledger.tor.aggregator.api;

import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;
import java.util.function.Function;

/** How a {@link QueryResult} answers over HTTP: 200, 404 with a message, 307 to the owner, 503 with Retry-After. */
final class QueryResponses {
    private QueryResponses() {
    }

    static <T> Response of(String runId, QueryResult<T> result, Function<T, Object> body, int retryAfterSeconds,
                           Function<QueryResult.Elsewhere<T>, URI> ownerUrl) {
        if (result instanceof QueryResult.Found<T> f) {
            return Response.ok(body.apply(f.value())).build();
        } else if (result instanceof QueryResult.NotFound<T>) {
            return Response.status(Response.Status.NOT_FOUND).entity(Map.of("error", "unknown run", "runId", runId,
                    "message", "no run '" + runId + "' has been folded from trainledger.run-events")).build();
        } else if (result instanceof QueryResult.Elsewhere<T> e) {
            return Response.temporaryRedirect(ownerUrl.apply(e)).entity(Map.of("runId", runId, "owner", e.address(),
                    "message", "run '" + runId + "' is held by the instance at " + e.address())).build();
        }
        return unavailable(((QueryResult.Unavailable<T>) result).reason(), retryAfterSeconds);
    }

    static Response unavailable(String reason, int retryAfterSeconds) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", retryAfterSeconds)
                .entity(Map.of("error", "not queryable", "message", reason, "retryAfterSeconds", retryAfterSeconds))
                .build();
    }
}
