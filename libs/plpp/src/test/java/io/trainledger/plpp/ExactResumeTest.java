package io.trainledger.plpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N steps straight vs N/2 steps, snapshot, restore in a fresh JVM, N/2 steps: the context vectors
 * and the optimizer state must be bitwise identical (CPU, libtorch intra-op threads fixed to the
 * same count in every process).
 */
class ExactResumeTest {
    static final long N = 40; // 32 base classes x 4 shots / batch 20 = 6 steps per epoch: the cut (20) is mid-epoch.

    @ParameterizedTest
    @EnumSource(value = PromptMethod.class, names = {"PLPP", "PLPP_KGCOOP"})
    void twoJvmResumeIsBitwiseIdentical(PromptMethod method, @TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight.bin");
        Path half = dir.resolve("half.bin");
        Path resumed = dir.resolve("resumed.bin");
        String m = method.name();
        run(m, "straight", String.valueOf(N), straight.toString());
        run(m, "first", String.valueOf(N), half.toString());
        run(m, "second", String.valueOf(N), half.toString(), resumed.toString());

        TrainingState a = TrainingState.fromBytes(Files.readAllBytes(straight));
        TrainingState h = TrainingState.fromBytes(Files.readAllBytes(half));
        TrainingState b = TrainingState.fromBytes(Files.readAllBytes(resumed));
        assertThat(h.step()).isEqualTo(N / 2);
        assertThat(h.positionInEpoch()).isNotZero();
        assertThat(a.step()).isEqualTo(N);
        assertThat(b.step()).isEqualTo(N);
        // Finite first: containsExactly compares with Float.equals, under which NaN equals NaN.
        assertThat(allFinite(a.context()) && allFinite(a.momentum())).as("straight run finite").isTrue();
        assertThat(allFinite(h.context()) && allFinite(h.momentum())).as("first half finite").isTrue();
        assertThat(allFinite(b.context()) && allFinite(b.momentum())).as("resumed run finite").isTrue();
        assertThat(b.context()).as("context vectors, bitwise").containsExactly(a.context());
        assertThat(b.momentum()).as("momentum, bitwise").containsExactly(a.momentum());
        assertThat(b.rngState()).isEqualTo(a.rngState());
        assertThat(b.permutation()).containsExactly(a.permutation());
        assertThat(b.context()).as("training moved the context").isNotEqualTo(h.context());
    }

    @Test
    void corruptedOrForeignStatesAreRefused() {
        TrainingState s = new TrainingState("fp", 3, 0, 3, 42L, new int[] {1, 0}, new long[] {1, 2},
                new float[] {1f, 2f}, new float[] {0f, 0.5f});
        byte[] bytes = s.toBytes();
        TrainingState back = TrainingState.fromBytes(bytes);
        assertThat(back.context()).containsExactly(1f, 2f);
        assertThat(back.momentum()).containsExactly(0f, 0.5f);
        assertThat(back.step()).isEqualTo(3);
        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> TrainingState.fromBytes(flipped)).hasMessageContaining("checksum");
        byte[] otherVersion = bytes.clone();
        otherVersion[11] = 9;
        assertThatThrownBy(() -> TrainingState.fromBytes(otherVersion)).hasMessageContaining("version");
        assertThatThrownBy(() -> TrainingState.fromBytes(java.util.Arrays.copyOf(bytes, 20)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private static void run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String threads = System.getProperty("plpp.threads", "1");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + threads);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ResumeProbe.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", threads);
        File log = Files.createTempFile("resume-probe", ".log").toFile();
        pb.redirectOutput(log);
        Process p = pb.start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        assertThat(finished).as("probe %s finished", args[1]).isTrue();
        assertThat(p.exitValue()).as("probe %s exit; log:%n%s", args[1], Files.readString(log.toPath())).isZero();
    }
}
