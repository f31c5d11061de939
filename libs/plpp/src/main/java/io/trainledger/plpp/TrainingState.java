package io.trainledger.plpp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Everything needed to continue a run exactly: context vectors and SGD momentum (raw float bits),
 * the data-order RNG state, the current epoch permutation and position in it, the step (which
 * fixes the schedule position) and a fingerprint of config + backbone + task that a restore must
 * match. Bytes: magic "PLPPSTAT", format version, payload length, payload, CRC-32C of the payload.
 */
public record TrainingState(
        String fingerprint,
        long step,
        int epoch,
        int positionInEpoch,
        long rngState,
        int[] permutation,
        long[] contextShape,
        float[] context,
        float[] momentum) {

    public static final int VERSION = 1;
    private static final byte[] MAGIC = "PLPPSTAT".getBytes(StandardCharsets.US_ASCII);

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(payload);
            out.writeUTF(fingerprint);
            out.writeLong(step);
            out.writeInt(epoch);
            out.writeInt(positionInEpoch);
            out.writeLong(rngState);
            out.writeInt(permutation.length);
            for (int p : permutation) {
                out.writeInt(p);
            }
            out.writeInt(contextShape.length);
            for (long s : contextShape) {
                out.writeLong(s);
            }
            writeFloats(out, context);
            writeFloats(out, momentum);
            out.flush();
            byte[] body = payload.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(body);
            ByteArrayOutputStream all = new ByteArrayOutputStream(body.length + 24);
            DataOutputStream o = new DataOutputStream(all);
            o.write(MAGIC);
            o.writeInt(VERSION);
            o.writeInt(body.length);
            o.write(body);
            o.writeLong(crc.getValue());
            o.flush();
            return all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses and verifies (magic, version, length, checksum); throws IllegalArgumentException on any mismatch. */
    public static TrainingState fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("not a PLPP training state (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported training state version " + version);
            }
            int len = in.readInt();
            if (len < 0 || len != bytes.length - MAGIC.length - 16) {
                throw new IllegalArgumentException("training state length mismatch");
            }
            byte[] body = new byte[len];
            in.readFully(body);
            long expected = in.readLong();
            CRC32C crc = new CRC32C();
            crc.update(body);
            if (crc.getValue() != expected) {
                throw new IllegalArgumentException("training state checksum mismatch");
            }
            DataInputStream b = new DataInputStream(new ByteArrayInputStream(body));
            String fp = b.readUTF();
            long step = b.readLong();
            int epoch = b.readInt();
            int pos = b.readInt();
            long rng = b.readLong();
            int[] perm = new int[b.readInt()];
            for (int i = 0; i < perm.length; i++) {
                perm[i] = b.readInt();
            }
            long[] shape = new long[b.readInt()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = b.readLong();
            }
            float[] ctx = readFloats(b);
            float[] mom = readFloats(b);
            return new TrainingState(fp, step, epoch, pos, rng, perm, shape, ctx, mom);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated training state", e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float f : v) {
            out.writeInt(Float.floatToRawIntBits(f));
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] v = new float[in.readInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(in.readInt());
        }
        return v;
    }
}
