package io.trainledger.schemas.dlq;

/** Header names on {@code trainledger.dlq} records. Values are UTF-8 strings. */
public final class DeadLetterHeaders {
    /** Human-readable reason: what failed and why. */
    public static final String REASON = "trainledger.dlq.reason";
    /** Class name of the exception that rejected the record. */
    public static final String EXCEPTION = "trainledger.dlq.exception";
    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = "trainledger.dlq.source.topic";
    /** Partition the record was read from. */
    public static final String SOURCE_PARTITION = "trainledger.dlq.source.partition";
    /** Offset of the record in that partition. */
    public static final String SOURCE_OFFSET = "trainledger.dlq.source.offset";
    /** Timestamp of the original record, milliseconds since the epoch. */
    public static final String SOURCE_TIMESTAMP = "trainledger.dlq.source.timestamp";
    /** Consumer that gave up on it (service name, application or group id). */
    public static final String CONSUMER = "trainledger.dlq.consumer";

    private DeadLetterHeaders() {
    }
}
