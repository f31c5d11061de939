package io.trainledger.infra.runtime;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of every child process of the embedded stack: runs the real main class in this JVM and exits
 * cleanly (shutdown hooks run, so the broker does a controlled shutdown) as soon as the launching process is gone.
 * Without it, a launcher killed with SIGKILL would leave a broker and a registry bound to their ports.
 *
 * <p>Usage: {@code ChildWatchdog <launcher-pid> <main-class> [args...]}; a launcher pid of 0 disables the watch.
 */
public final class ChildWatchdog {
    private static final long POLL_MILLIS = 1000;

    private ChildWatchdog() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ChildWatchdog <launcher-pid> <main-class> [args...]");
            System.exit(2);
        }
        long launcherPid = Long.parseLong(args[0]);
        if (launcherPid > 0) {
            watch(launcherPid);
        }
        Class<?> mainClass = Class.forName(args[1], true, ChildWatchdog.class.getClassLoader());
        Method main = mainClass.getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }

    private static void watch(long launcherPid) {
        Optional<ProcessHandle> launcher = ProcessHandle.of(launcherPid);
        if (launcher.isEmpty() || !launcher.get().isAlive()) {
            System.err.println("launcher process " + launcherPid + " is not running; not starting");
            System.exit(3);
        }
        Thread watcher = new Thread(() -> {
            ProcessHandle handle = launcher.get();
            while (handle.isAlive()) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("launcher process " + launcherPid + " is gone; shutting down");
            System.exit(0);
        }, "launcher-watchdog");
        watcher.setDaemon(true);
        watcher.start();
    }
}
