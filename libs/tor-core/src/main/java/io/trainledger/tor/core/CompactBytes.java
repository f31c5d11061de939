package io.trainledger.tor.core;

import java.util.Arrays;

/** Minimal growable byte buffer with zig-zag varints, used for the ledger's versioned binary state. */
final class CompactBytes {

    /** Writes varints into a growing array. */
    static final class Writer {
        private byte[] buf = new byte[256];
        private int pos;

        Writer writeByte(int b) {
            ensure(1);
            buf[pos++] = (byte) b;
            return this;
        }

        Writer writeLong(long v) {
            return writeUnsigned((v << 1) ^ (v >> 63));
        }

        Writer writeUnsigned(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
            return this;
        }

        Writer writeString(String s) {
            byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            writeUnsigned(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }
    }

    /** Reads what {@link Writer} wrote; throws {@link IllegalArgumentException} on truncated input. */
    static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        int readByte() {
            check(1);
            return buf[pos++] & 0xFF;
        }

        long readLong() {
            long u = readUnsigned();
            return (u >>> 1) ^ -(u & 1);
        }

        int readInt() {
            return Math.toIntExact(readLong());
        }

        long readUnsigned() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed varint at " + pos);
        }

        String readString() {
            int n = Math.toIntExact(readUnsigned());
            check(n);
            String s = new String(buf, pos, n, java.nio.charset.StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        boolean atEnd() {
            return pos == buf.length;
        }

        private void check(int n) {
            if (pos + n > buf.length) {
                throw new IllegalArgumentException("truncated ledger state (need " + n + " bytes at " + pos + " of " + buf.length + ")");
            }
        }
    }

    private CompactBytes() {
    }
}
