package io.trainledger.schemas;

import io.trainledger.events.EventSource;
import io.trainledger.events.RunEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/** Builds ledger envelopes the same way in every writer: fresh event id, event time truncated to microseconds. */
public final class RunEvents {
    private static final java.util.Set<Class<?>> PAYLOADS = payloadTypes();

    private RunEvents() {
    }

    /** A new envelope around {@code payload}, stamped now. */
    public static RunEvent of(String runId, int attempt, EventSource source, SpecificRecord payload) {
        return at(runId, attempt, source, Instant.now(), payload);
    }

    /** A new envelope around {@code payload} with an explicit event time (simulators, replays of external facts). */
    public static RunEvent at(String runId, int attempt, EventSource source, Instant eventTime, SpecificRecord payload) {
        if (!PAYLOADS.contains(payload.getClass())) {
            throw new IllegalArgumentException(payload.getClass().getSimpleName() + " is not a RunEvent payload type");
        }
        return RunEvent.newBuilder()
                .setEventId(UUID.randomUUID())
                .setRunId(runId)
                .setAttempt(attempt)
                .setSource(source)
                .setEventTime(eventTime.truncatedTo(ChronoUnit.MICROS))
                .setPayload(payload)
                .build();
    }

    /** An event source for a service instance. */
    public static EventSource source(String service, String instance) {
        return EventSource.newBuilder().setService(service).setInstance(instance).build();
    }

    private static java.util.Set<Class<?>> payloadTypes() {
        java.util.Set<Class<?>> types = new java.util.HashSet<>();
        for (org.apache.avro.Schema branch : RunEvent.getClassSchema().getField("payload").schema().getTypes()) {
            try {
                types.add(Class.forName(branch.getFullName()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("generated class missing for " + branch.getFullName(), e);
            }
        }
        return java.util.Set.copyOf(types);
    }
}
