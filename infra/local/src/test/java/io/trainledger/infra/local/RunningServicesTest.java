package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RunningServices} with a stand-in for each packaged Quarkus app ({@code QuarkusEntryPoint} of the test
 * sources, packed into {@code services/<id>/target/quarkus-app/quarkus-run.jar} of a temporary repository root):
 * start, readiness, endpoints file, configuration reaching the process, restart after SIGKILL, clean stop. The real
 * services are exercised end to end in infra/e2e (they are built after this module).
 */
class RunningServicesTest {
    private static final StackConnection STACK = new StackConnection("127.0.0.1:19092",
            "http://127.0.0.1:18080/apis/registry/v3", "http://127.0.0.1:19000/health/ready");

    @TempDir
    Path data;

    @TempDir
    Path repo;

    @Test
    void startsAllFourWaitsUntilReadyRestartsAKilledOneAndStopsEverything() throws Exception {
        packStandIns();
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        List<String> progress = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        try (RunningServices services = RunningServices.start(catalog, Duration.ofMinutes(5), progress::add)) {
            assertThat(progress).hasSize(4);
            for (TrainLedgerService s : TrainLedgerService.values()) {
                assertThat(services.isReady(s)).as(s.id()).isTrue();
            }
            assertThat(ServiceEndpoints.read(data)).isEqualTo(catalog.endpoints());

            Properties trainer = seenBy(TrainLedgerService.TRAINER);
            assertThat(trainer.getProperty("trainledger.trainer.chaos.enabled")).isEqualTo("true");
            assertThat(trainer.getProperty("kafka.bootstrap.servers")).isEqualTo("127.0.0.1:19092");
            assertThat(trainer.getProperty("env.TRAINLEDGER_API_TOKEN")).isEqualTo(ApiToken.read(data));
            assertThat(seenBy(TrainLedgerService.CHECKPOINTER).getProperty("trainledger.checkpointer.staging-dir"))
                    .isEqualTo(catalog.stagingDir().toString());

            ChildProcess first = services.supervisor().process("trainer").orElseThrow();
            first.kill();
            await().atMost(Duration.ofMinutes(5)).until(() -> services.supervisor().restarts("trainer") == 1
                    && services.supervisor().process("trainer").isPresent());
            services.awaitReady(TrainLedgerService.TRAINER, Duration.ofMinutes(5));
            assertThat(services.supervisor().process("trainer").orElseThrow().pid()).isNotEqualTo(first.pid());
            assertThat(Files.readString(data.resolve("logs/supervisor.log")))
                    .contains("trainer (pid " + first.pid() + ") killed by signal 9").contains("restart #1");
            for (TrainLedgerService s : TrainLedgerService.values()) {
                pids.addAll(Files.readAllLines(s.dataDir(data).resolve("stand-in.starts")).stream().map(Long::parseLong).toList());
            }
        }
        assertThat(pids).hasSize(5);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(data.resolve(ServiceEndpoints.FILE)).doesNotExist();
    }

    @Test
    void aBusyPortIsReportedBeforeAnythingStarts() throws Exception {
        packStandIns();
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        int port = catalog.ports().port(TrainLedgerService.CHECKPOINTER);
        try (ServerSocket squatter = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> RunningServices.start(catalog, Duration.ofMinutes(1), m -> { }))
                    .hasMessageContaining("ports already in use").hasMessageContaining(Integer.toString(port));
        }
        assertThat(data.resolve("services/trainer/stand-in.starts")).doesNotExist();
    }

    @Test
    void unbuiltServicesAreNamed() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        assertThatThrownBy(() -> RunningServices.start(catalog, Duration.ofMinutes(1), m -> { }))
                .hasMessageContaining("not built").hasMessageContaining("tor-aggregator");
    }

    private Properties seenBy(TrainLedgerService s) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(s.dataDir(data).resolve("stand-in.properties"))) {
            p.load(in);
        }
        return p;
    }

    private void packStandIns() throws Exception {
        StandInApps.pack(repo);
    }
}
