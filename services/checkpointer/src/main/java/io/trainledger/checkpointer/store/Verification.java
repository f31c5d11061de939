package io.trainledger.checkpointer.store;

/**
 * Result of re-hashing a stored object.
 *
 * @param sha256       the object's name (expected hash)
 * @param actualSha256 what its content hashes to now (null when the object is missing)
 * @param bytes        its size now (-1 when missing)
 */
public record Verification(String sha256, String actualSha256, long bytes) {

    /** True when the object exists and its content hashes to its name. */
    public boolean ok() {
        return sha256.equals(actualSha256);
    }

    /** Whether the object is absent. */
    public boolean missing() {
        return actualSha256 == null;
    }

    /** One line for logs and CheckpointRejected reasons. */
    public String describe() {
        if (missing()) {
            return "object " + sha256 + " is missing";
        }
        return ok() ? "object " + sha256 + " verified (" + bytes + " bytes)"
                : "object " + sha256 + " is corrupt: content hashes to " + actualSha256 + " (" + bytes + " bytes)";
    }
}
