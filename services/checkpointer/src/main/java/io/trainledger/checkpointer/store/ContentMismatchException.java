package io.trainledger.checkpointer.store;

/** The bytes offered to a {@link CheckpointStore} are not what their name promises: a permanent rejection. */
public class ContentMismatchException extends Exception {
    public ContentMismatchException(String message) {
        super(message);
    }
}
