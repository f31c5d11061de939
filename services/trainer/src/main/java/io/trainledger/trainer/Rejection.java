package io.trainledger.trainer;

/**
 * Why a command was refused: the offending field (null when the command as a whole is refused) and a reason a
 * person can act on. Becomes a {@code RunRejected} event.
 */
public record Rejection(String field, String reason) {

    public static Rejection of(String field, String reason) {
        return new Rejection(field, reason);
    }
}
