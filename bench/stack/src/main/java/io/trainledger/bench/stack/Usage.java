package io.trainledger.bench.stack;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/** Wall-clock and CPU time of one arm's block (or their sums), in nanoseconds. */
final class Usage {
    long wall;
    long threadCpu;
    long handOff;
    long processCpu;
    long brokerCpu;
    long registryCpu;
    long machineBusy;
    java.util.Map<String, Long> byGroup = new java.util.TreeMap<>();
    private java.util.Map<Long, Long> threadStart = java.util.Map.of();
    private java.util.Map<Long, String> names = java.util.Map.of();

    /** The thread that measures: the step thread (blocks are started and stopped on it). */
    private static volatile String stepThread = "main";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static Usage start(Processes p) {
        stepThread = Thread.currentThread().getName(); // "main" from java, another name under exec:java
        Usage u = new Usage();
        u.machineBusy = machineBusyNanos();
        u.snapshotThreads();
        u.brokerCpu = p.brokerCpu();
        u.registryCpu = p.registryCpu();
        u.processCpu = OS.getProcessCpuTime();
        u.threadCpu = THREADS.getCurrentThreadCpuTime();
        u.wall = System.nanoTime();
        return u;
    }

    Usage stop(Processes p, long handOffNanos) {
        Usage d = new Usage();
        d.wall = System.nanoTime() - wall;
        d.threadCpu = THREADS.getCurrentThreadCpuTime() - threadCpu;
        d.processCpu = OS.getProcessCpuTime() - processCpu;
        d.brokerCpu = p.brokerCpu() - brokerCpu;
        d.registryCpu = p.registryCpu() - registryCpu;
        d.machineBusy = machineBusyNanos() - machineBusy;
        d.handOff = handOffNanos;
        java.util.Map<Long, Long> now = new java.util.HashMap<>();
        java.util.Map<Long, String> nowNames = new java.util.HashMap<>();
        cpuOfThreads(now, nowNames);
        now.forEach((id, cpu) -> d.byGroup.merge(group(nowNames.get(id)), cpu - threadStart.getOrDefault(id, 0L),
                Long::sum));
        // Threads that ended during the block: their CPU is counted up to the start only (none do here).
        return d;
    }

    private void snapshotThreads() {
        java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
        java.util.Map<Long, String> n = new java.util.HashMap<>();
        cpuOfThreads(cpu, n);
        threadStart = cpu;
        names = n;
    }

    private static void cpuOfThreads(java.util.Map<Long, Long> cpu, java.util.Map<Long, String> names) {
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null) {
                long c = THREADS.getThreadCpuTime(info.getThreadId());
                if (c >= 0) {
                    cpu.put(info.getThreadId(), c);
                    names.put(info.getThreadId(), info.getThreadName());
                }
            }
        }
    }

    /** Which part of the emission a thread belongs to. */
    private static String group(String name) {
        if (name == null) {
            return "other Java";
        } else if (name.equals(stepThread)) {
            return "step thread";
        } else if (name.equals("trainer-ledger-emitter")) {
            return "LedgerEmitter";
        } else if (name.equals("bench-previous-emitter")) {
            return "previous emitter";
        } else if (name.startsWith("kafka-producer-network-thread")) {
            return "producer I/O";
        } else if (name.equals("bench-heartbeats")) {
            return "heartbeats";
        } else if (name.equals("bench-spinner")) {
            return "spinner";
        }
        return "other Java";
    }

    void add(Usage o) {
        o.byGroup.forEach((g, c) -> byGroup.merge(g, c, Long::sum));
        wall += o.wall;
        threadCpu += o.threadCpu;
        handOff += o.handOff;
        processCpu += o.processCpu;
        brokerCpu += o.brokerCpu;
        registryCpu += o.registryCpu;
        machineBusy += o.machineBusy;
    }

    /** Busy CPU time of the whole machine (user + nice + system + irq + softirq + steal), from /proc/stat. */
    static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy * 10_000_000L; // USER_HZ = 100
        } catch (Exception e) {
            return 0;
        }
    }
}
