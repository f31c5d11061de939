package io.trainledger.tor.aggregator.topology;

import io.trainledger.events.RunEvent;
import io.trainledger.events.StepCompleted;
import io.trainledger.tor.core.TorLedger;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The run timelines ({@link RunTimeline}) kept as many small records in one key-value store, so that adding a step
 * point or a milestone writes one record of about a hundred bytes (and its changelog record), not the whole
 * timeline: a long run's timeline is 100 KB and was rewritten for every change (JFR: half of the aggregator's CPU,
 * and 0.01 of a plain consumer's throughput).
 *
 * <p>Keys are {@code runId + NUL + kind [+ 16 hex digits]}, so one run's records are contiguous and ordered:
 * {@code E} milestones and {@code S} step points and {@code T} TOR points by sequence number, {@code M} the run's
 * bookkeeping (strides, counts, next sequence numbers). A reader assembles a run's timeline with one prefix scan
 * ({@link #read}). Run ids never contain NUL (they are Kafka keys chosen by people and checked by the trainer).
 */
public final class TimelineStore {
    private static final char SEP = '\u0000';
    private static final byte VERSION = 1;
    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, byte[]> store;
    /** Decoded bookkeeping of recently active runs; always the value last written. Dropped on (re)initialisation. */
    private final RunCache<Meta> metas = new RunCache<>(1024);

    TimelineStore(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    /** Per-run bookkeeping: what is kept, the current resolutions and the next sequence numbers. */
    static final class Meta {
        long stepStride = 1;
        long torStrideMicros = 1_000_000L;
        long eventsDropped;
        long firstEvent;
        long nextEvent;
        long nextStep;
        int stepCount;
        long nextTor;
        int torCount;
        long lastTorMicros = Long.MIN_VALUE;

        int eventCount() {
            return (int) (nextEvent - firstEvent);
        }

        byte[] toBytes() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(80);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(VERSION);
                out.writeLong(stepStride);
                out.writeLong(torStrideMicros);
                out.writeLong(eventsDropped);
                out.writeLong(firstEvent);
                out.writeLong(nextEvent);
                out.writeLong(nextStep);
                out.writeInt(stepCount);
                out.writeLong(nextTor);
                out.writeInt(torCount);
                out.writeLong(lastTorMicros);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        static Meta fromBytes(byte[] bytes) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                checkVersion(in.readByte());
                Meta m = new Meta();
                m.stepStride = in.readLong();
                m.torStrideMicros = in.readLong();
                m.eventsDropped = in.readLong();
                m.firstEvent = in.readLong();
                m.nextEvent = in.readLong();
                m.nextStep = in.readLong();
                m.stepCount = in.readInt();
                m.nextTor = in.readLong();
                m.torCount = in.readInt();
                m.lastTorMicros = in.readLong();
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Forgets the decoded bookkeeping (a task re-initialised after a restore or an aborted transaction). */
    void clearCache() {
        metas.clear();
    }

    /**
     * Adds an event the fold accepted: a milestone (the oldest dropped beyond {@code maxEvents}) or a step point
     * (kept if its step is a multiple of the stride; when over {@code maxSteps} the stride doubles and the points off
     * it are deleted). Returns whether the timeline changed.
     */
    boolean add(String runId, RunEvent e, int maxEvents, int maxSteps) {
        long t = TorLedger.micros(e.getEventTime());
        if (e.getPayload() instanceof StepCompleted s) {
            Meta m = meta(runId);
            if (s.getStep() % m.stepStride != 0) {
                return false;
            }
            RunTimeline.StepPoint point = new RunTimeline.StepPoint(s.getStep(), e.getAttempt(), t, s.getLoss(),
                    s.getStepNanos(), s.getAccuracy(), s.getCeLoss(), s.getPplLoss(), s.getIpplLoss(), s.getKgLoss());
            store.put(key(runId, 'S', m.nextStep++), encodeStep(point));
            m.stepCount++;
            while (m.stepCount > maxSteps) {
                m.stepStride *= 2;
                thinSteps(runId, m);
            }
            putMeta(runId, m);
            return true;
        }
        RunTimeline.Entry entry = RunTimeline.entryOf(e.getPayload(), t, e.getAttempt());
        if (entry == null) {
            return false;
        }
        Meta m = meta(runId);
        store.put(key(runId, 'E', m.nextEvent++), encodeEntry(entry));
        while (m.eventCount() > maxEvents) {
            store.delete(key(runId, 'E', m.firstEvent++));
            m.eventsDropped++;
        }
        putMeta(runId, m);
        return true;
    }

    /**
     * Whether a TOR point as of {@code asOfMicros} would be kept: at least the current TOR stride of event time after
     * the last point (the stride doubles each time the curve is thinned), or the run ended.
     */
    boolean torPointDue(String runId, long asOfMicros, boolean ended) {
        Meta m = meta(runId);
        return ended || m.torCount == 0 || asOfMicros - m.lastTorMicros >= m.torStrideMicros;
    }

    /**
     * Adds a point of the TOR curve (a point at the same instant as the last one replaces it); over
     * {@code maxPoints} every other point is dropped, keeping the first and the latest, and the stride doubles.
     */
    void addTor(String runId, RunTimeline.TorPoint point, int maxPoints) {
        Meta m = meta(runId);
        if (m.torCount > 0 && m.lastTorMicros == point.eventTimeMicros()) {
            store.put(key(runId, 'T', m.nextTor - 1), encodeTor(point));
            return;
        }
        store.put(key(runId, 'T', m.nextTor++), encodeTor(point));
        m.torCount++;
        m.lastTorMicros = point.eventTimeMicros();
        if (m.torCount > maxPoints) {
            m.torStrideMicros *= 2;
            List<String> keys = keys(runId, 'T');
            int kept = 0;
            for (int i = 0; i < keys.size(); i++) {
                if (i % 2 == 0 || i == keys.size() - 1) {
                    kept++;
                } else {
                    store.delete(keys.get(i));
                }
            }
            m.torCount = kept;
        }
        putMeta(runId, m);
    }

    /** The timeline of {@code runId} assembled from its records, or null when the store has none. */
    public static RunTimeline read(ReadOnlyKeyValueStore<String, byte[]> store, String runId) {
        Meta meta = null;
        Deque<RunTimeline.Entry> events = new ArrayDeque<>();
        List<RunTimeline.StepPoint> steps = new ArrayList<>();
        List<RunTimeline.TorPoint> tor = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(runId + SEP, KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                char kind = kv.key.charAt(runId.length() + 1);
                switch (kind) {
                    case 'M' -> meta = Meta.fromBytes(kv.value);
                    case 'E' -> events.addLast(decodeEntry(kv.value));
                    case 'S' -> steps.add(decodeStep(kv.value));
                    case 'T' -> tor.add(decodeTor(kv.value));
                    default -> throw new IllegalStateException("unknown timeline record " + kv.key);
                }
            }
        }
        if (meta == null) {
            return null;
        }
        return new RunTimeline(events, steps, tor, meta.stepStride, meta.eventsDropped);
    }

    // ------------------------------------------------------------------------------------------------ internals

    private Meta meta(String runId) {
        return metas.get(runId, id -> {
            byte[] stored = store.get(metaKey(id));
            return stored == null ? new Meta() : Meta.fromBytes(stored);
        });
    }

    private void putMeta(String runId, Meta m) {
        store.put(metaKey(runId), m.toBytes());
    }

    private void thinSteps(String runId, Meta m) {
        int kept = 0;
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(runId + SEP + 'S', KEYS)) {
            List<String> drop = new ArrayList<>();
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (stepOf(kv.value) % m.stepStride != 0) {
                    drop.add(kv.key);
                } else {
                    kept++;
                }
            }
            drop.forEach(store::delete);
        }
        m.stepCount = kept;
    }

    private List<String> keys(String runId, char kind) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(runId + SEP + kind, KEYS)) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    static String metaKey(String runId) {
        return runId + SEP + 'M';
    }

    static String key(String runId, char kind, long seq) {
        // Fixed-width hex: the store orders keys by their bytes, so sequence order is key order.
        String hex = Long.toHexString(seq);
        return runId + SEP + kind + "0000000000000000".substring(hex.length()) + hex;
    }

    private static void checkVersion(byte version) {
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown timeline record version " + version);
        }
    }

    static byte[] encodeEntry(RunTimeline.Entry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(e.kind());
            out.writeLong(e.eventTimeMicros());
            out.writeInt(e.attempt());
            out.writeBoolean(e.step() != null);
            if (e.step() != null) {
                out.writeLong(e.step());
            }
            writeNullable(out, e.failureType());
            writeNullable(out, e.detail() == null ? null : truncate(e.detail()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static RunTimeline.Entry decodeEntry(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            checkVersion(in.readByte());
            String kind = in.readUTF();
            long t = in.readLong();
            int attempt = in.readInt();
            Long step = in.readBoolean() ? in.readLong() : null;
            return new RunTimeline.Entry(kind, t, attempt, step, readNullable(in), readNullable(in));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] encodeStep(RunTimeline.StepPoint s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(77);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(s.step());
            out.writeInt(s.attempt());
            out.writeLong(s.eventTimeMicros());
            out.writeDouble(s.loss());
            out.writeLong(s.stepNanos());
            out.writeDouble(s.accuracy());
            out.writeDouble(s.ceLoss());
            out.writeDouble(s.pplLoss());
            out.writeDouble(s.ipplLoss());
            out.writeDouble(s.kgLoss());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static long stepOf(byte[] encodedStep) {
        long step = 0;
        for (int i = 1; i <= 8; i++) {
            step = (step << 8) | (encodedStep[i] & 0xff);
        }
        return step;
    }

    static RunTimeline.StepPoint decodeStep(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            checkVersion(in.readByte());
            return new RunTimeline.StepPoint(in.readLong(), in.readInt(), in.readLong(), in.readDouble(),
                    in.readLong(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
                    in.readDouble());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] encodeTor(RunTimeline.TorPoint p) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(33);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(p.eventTimeMicros());
            out.writeDouble(p.tor());
            out.writeDouble(p.windowTor());
            out.writeLong(p.windowSeconds());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static RunTimeline.TorPoint decodeTor(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            checkVersion(in.readByte());
            return new RunTimeline.TorPoint(in.readLong(), in.readDouble(), in.readDouble(), in.readLong());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    // writeUTF refuses strings over 64 KB; details are for people, 1,000 characters is plenty.
    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
