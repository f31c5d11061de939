package io.trainledger.bench.tor;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What one benchmark pass cost in CPU: the CPU time of the threads doing the work (the stream threads, or the plain
 * consumer's thread) per record, and the JIT compilers' time during the pass. A pass whose JIT time is a large part
 * of its wall time is not warm yet (on two cores the compiler threads compete with the stream thread and the broker).
 *
 * <pre>{@code
 * PassCpu cpu = PassCpu.start();
 * ... the pass ...
 * System.out.println(cpu.line(records, PassCpu.threadsNamed(".*-StreamThread-\\d+")));
 * }</pre>
 */
final class PassCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final long jitStartMs;
    private final long currentThreadStartNs;

    private PassCpu() {
        this.jitStartMs = jitMillis();
        this.currentThreadStartNs = THREADS.getCurrentThreadCpuTime();
    }

    /** Starts measuring a pass. */
    static PassCpu start() {
        return new PassCpu();
    }

    /** CPU time of this thread since {@link #start}. */
    long currentThreadNanos() {
        return THREADS.getCurrentThreadCpuTime() - currentThreadStartNs;
    }

    /**
     * Total CPU time of the live threads whose whole names match {@code regex} (created during the pass; for the
     * stream threads {@code <appId>-<uuid>-StreamThread-<n>}, which excludes their clients' threads, such as
     * {@code kafka-producer-network-thread | <appId>-<uuid>-StreamThread-1-producer}).
     */
    static long threadsNamed(String regex) {
        Pattern pattern = Pattern.compile(regex);
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (pattern.matcher(t.getName()).matches()) {
                total += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
            }
        }
        return total;
    }

    /** {@code "worker CPU x.xx s = y.yy us/record, JIT z ms"}: a pass over {@code records} whose workers took {@code cpuNs}. */
    String line(long records, long cpuNs) {
        return String.format(Locale.ROOT, "worker CPU %.2f s = %.2f us/record, JIT %,d ms", cpuNs / 1e9,
                records == 0 ? Double.NaN : cpuNs / 1e3 / records, jitMillis() - jitStartMs);
    }

    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : -1;
    }
}
