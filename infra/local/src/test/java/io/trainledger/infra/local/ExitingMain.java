package io.trainledger.infra.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A stand-in service for supervisor tests: records its start, optionally lives a while, exits with a given code. */
public final class ExitingMain {
    private ExitingMain() {
    }

    public static void main(String[] args) throws Exception {
        Files.writeString(Path.of(args[0]), ProcessHandle.current().pid() + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long liveMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
        if (liveMillis > 0) {
            Thread.sleep(liveMillis);
        }
        System.exit(Integer.parseInt(args[1]));
    }
}
