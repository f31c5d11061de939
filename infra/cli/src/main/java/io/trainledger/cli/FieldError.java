package io.trainledger.cli;

/** One invalid field of a request: its dotted path (e.g. {@code checkpoint.intervalSteps}) and why. */
public record FieldError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
