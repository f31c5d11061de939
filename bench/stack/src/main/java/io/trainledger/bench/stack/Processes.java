package io.trainledger.bench.stack;

import java.time.Duration;

/** The broker's and the registry's processes, for their CPU time. */
record Processes(long broker, long registry) {
    long brokerCpu() {
        return cpuOf(broker);
    }

    long registryCpu() {
        return cpuOf(registry);
    }

    private static long cpuOf(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }
}
