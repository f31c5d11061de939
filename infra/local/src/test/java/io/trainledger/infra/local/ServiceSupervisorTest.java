package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.ServiceSupervisor.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceSupervisorTest {
    private static final RestartPolicy FAST = new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofMillis(50),
            Duration.ofMillis(200));

    @TempDir
    Path dir;

    private ServiceSpec spec(String name, Path marker, int exitCode, long liveMillis, RestartPolicy policy) {
        return new ServiceSpec(name, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExitingMain.class.getName(), marker.toString(),
                Integer.toString(exitCode), Long.toString(liveMillis)), dir, Map.of(), policy);
    }

    private static long starts(Path marker) throws Exception {
        return Files.exists(marker) ? Files.readAllLines(marker).size() : 0;
    }

    @Test
    void aFailingServiceIsRestartedUntilThePolicyGivesUp() throws Exception {
        Path marker = dir.resolve("failing.starts");
        try (ServiceSupervisor supervisor = new ServiceSupervisor(dir)) {
            supervisor.start(spec("failing", marker, 3, 0, FAST));
            await().atMost(Duration.ofMinutes(3)).until(() -> supervisor.gaveUp("failing"));
            assertThat(supervisor.restarts("failing")).isEqualTo(2);
            assertThat(starts(marker)).isEqualTo(3);
            String log = Files.readString(supervisor.logFile());
            assertThat(log).contains("failing (pid").contains("exited with 3").contains("restart #1").contains("restart #2")
                    .contains("giving up: 3 failures within PT30M");
        }
    }

    @Test
    void aCleanExitIsNotRestarted() throws Exception {
        Path marker = dir.resolve("clean.starts");
        try (ServiceSupervisor supervisor = new ServiceSupervisor(dir)) {
            supervisor.start(spec("clean", marker, 0, 0, FAST));
            await().atMost(Duration.ofMinutes(3)).until(() -> Files.readString(supervisor.logFile()).contains("not restarted"));
            assertThat(supervisor.restarts("clean")).isZero();
            assertThat(starts(marker)).isEqualTo(1);
        }
    }

    @Test
    void aServiceKilledWithSigkillIsStartedAgain() throws Exception {
        Path marker = dir.resolve("killed.starts");
        try (ServiceSupervisor supervisor = new ServiceSupervisor(dir)) {
            supervisor.start(spec("victim", marker, 0, 60_000, RestartPolicy.onFailure()));
            await().atMost(Duration.ofMinutes(3)).until(() -> starts(marker) == 1 && supervisor.process("victim").isPresent());
            long firstPid = supervisor.process("victim").orElseThrow().pid();
            supervisor.process("victim").orElseThrow().kill();
            await().atMost(Duration.ofMinutes(3)).until(() -> starts(marker) == 2);
            assertThat(supervisor.restarts("victim")).isEqualTo(1);
            assertThat(supervisor.process("victim")).hasValueSatisfying(p -> assertThat(p.pid()).isNotEqualTo(firstPid));
            assertThat(Files.readString(supervisor.logFile())).contains("killed by signal 9 (exit 137)");
        }
        // close() stopped it without a restart
        assertThat(starts(marker)).isEqualTo(2);
    }
}
