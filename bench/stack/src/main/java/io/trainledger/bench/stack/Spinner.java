package io.trainledger.bench.stack;

/**
 * A thread that keeps the second core busy with register-only arithmetic (no allocation, no shared memory): what
 * any co-running work costs the step thread on this machine, with no Kafka involved.
 */
final class Spinner {
    private volatile boolean running = true;
    private final Thread thread = new Thread(this::spin, "bench-spinner");
    static volatile long sink;

    static Spinner start() {
        Spinner s = new Spinner();
        s.thread.setDaemon(true);
        s.thread.start();
        return s;
    }

    private void spin() {
        long x = 88172645463325252L;
        while (running) {
            for (int i = 0; i < 100_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
        }
        sink = x;
    }

    void stop() throws InterruptedException {
        running = false;
        thread.join();
    }
}
