package io.trainledger.trainer.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Error bodies of the command API: {@code {"message": ..., "errors": [{"field": ..., "reason": ...}]}}. */
public final class ApiErrors {
    private ApiErrors() {
    }

    /** The JSON body of an error answer. */
    public record Body(String message, List<AvroJson.FieldError> errors) {
    }

    public static Response of(Response.Status status, String message) {
        return of(status, message, List.of());
    }

    public static Response of(Response.Status status, String message, List<AvroJson.FieldError> errors) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new Body(message, errors)).build();
    }

    /** 400 naming every field that is wrong. */
    public static Response invalid(List<AvroJson.FieldError> errors) {
        String first = errors.get(0).field() + ": " + errors.get(0).reason();
        String message = errors.size() == 1 ? "invalid request: " + first
                : "invalid request: " + first + " (and " + (errors.size() - 1) + " more)";
        return of(Response.Status.BAD_REQUEST, message, errors);
    }
}
