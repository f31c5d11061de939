package io.trainledger.infra.local;

import io.quarkus.bootstrap.runner.QuarkusEntryPoint;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Packs the stand-in {@link QuarkusEntryPoint} as {@code services/<id>/target/quarkus-app/quarkus-run.jar} of a repo root. */
final class StandInApps {
    private StandInApps() {
    }

    static void pack(Path repoRoot) throws Exception {
        String entry = QuarkusEntryPoint.class.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = QuarkusEntryPoint.class.getClassLoader().getResourceAsStream(entry)) {
            bytes = in.readAllBytes();
        }
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Files.createDirectories(s.quarkusAppDir(repoRoot));
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(s.quarkusAppDir(repoRoot).resolve("quarkus-run.jar")))) {
                jar.putNextEntry(new JarEntry(entry));
                jar.write(bytes);
                jar.closeEntry();
            }
        }
    }
}
