package io.trainledger.trainer.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The bearer token of the mutating REST endpoints ({@code trainledger.api.token}). Compared in constant time over the
 * SHA-256 of both sides, so neither the content nor the length of the configured token leaks through timing.
 */
@ApplicationScoped
public class ApiToken {
    private final byte[] expected;

    ApiToken(@ConfigProperty(name = "trainledger.api.token") Optional<String> token) {
        this.expected = token.map(String::trim).filter(t -> !t.isEmpty()).map(ApiToken::sha256).orElse(null);
    }

    /** Empty when the request may mutate; otherwise the 503 (no token configured) or 401 answer. */
    public Optional<Response> refuse(String authorization) {
        if (expected == null) {
            return Optional.of(ApiErrors.of(Response.Status.SERVICE_UNAVAILABLE,
                    "no API token configured (set trainledger.api.token); mutating endpoints are disabled"));
        }
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.of(unauthorized("missing bearer token (Authorization: Bearer <token>)"));
        }
        byte[] given = sha256(authorization.substring(prefix.length()).trim());
        if (!MessageDigest.isEqual(expected, given)) {
            return Optional.of(unauthorized("invalid bearer token"));
        }
        return Optional.empty();
    }

    private static Response unauthorized(String message) {
        Response r = ApiErrors.of(Response.Status.UNAUTHORIZED, message);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"trainledger\"").build();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
