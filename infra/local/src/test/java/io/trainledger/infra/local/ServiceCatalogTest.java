package io.trainledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trainledger.infra.local.ServiceSupervisor.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceCatalogTest {
    private static final StackConnection STACK = new StackConnection("127.0.0.1:19092",
            "http://127.0.0.1:18080/apis/registry/v3", "http://127.0.0.1:19000/health/ready");

    @TempDir
    Path data;

    @TempDir
    Path repo;

    @Test
    void everyServiceIsPointedAtTheStackOnLoopbackWithItsOwnPort() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        Set<String> ports = new HashSet<>();
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Map<String, String> c = catalog.config(s);
            assertThat(c).containsEntry("quarkus.http.host", "127.0.0.1")
                    .containsEntry("%prod.quarkus.http.host", "127.0.0.1")
                    .containsEntry("kafka.bootstrap.servers", "127.0.0.1:19092")
                    .containsEntry("trainledger.registry.url", "http://127.0.0.1:18080/apis/registry/v3")
                    .containsEntry("quarkus.http.port", Integer.toString(catalog.ports().port(s)));
            ports.add(c.get("quarkus.http.port"));
        }
        assertThat(ports).hasSize(4);
    }

    @Test
    void theCheckpointerStagesFromTheTrainersStagingDirectory() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        Path trainerData = Path.of(catalog.config(TrainLedgerService.TRAINER).get("trainledger.trainer.data-dir"));
        Path staging = Path.of(catalog.config(TrainLedgerService.CHECKPOINTER).get("trainledger.checkpointer.staging-dir"));
        // Both sides are told the same directory (the trainer's default would be <its data-dir>/staging too).
        assertThat(staging).isEqualTo(trainerData.resolve("staging"));
        assertThat(catalog.config(TrainLedgerService.TRAINER)).containsEntry("trainledger.trainer.staging-dir", staging.toString())
                .containsEntry("trainledger.trainer.group-instance-id", "trainer-1");
        assertThat(trainerData).isEqualTo(data.toAbsolutePath().resolve("services/trainer"));
        assertThat(catalog.config(TrainLedgerService.CHECKPOINTER).get("trainledger.checkpointer.store-dir"))
                .isEqualTo(data.toAbsolutePath().resolve("services/checkpointer/store").toString());
    }

    @Test
    void streamsServicesKeepStateInTheirOwnDirectoryAndTheAggregatorAdvertisesItsAddress() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        for (TrainLedgerService s : new TrainLedgerService[] {TrainLedgerService.FAILURE_MONITOR, TrainLedgerService.TOR_AGGREGATOR}) {
            assertThat(catalog.config(s))
                    .containsEntry("quarkus.kafka-streams.bootstrap-servers", "127.0.0.1:19092")
                    .containsEntry("kafka-streams.state.dir",
                            data.toAbsolutePath().resolve("services/" + s.id() + "/kafka-streams-state").toString());
        }
        assertThat(catalog.config(TrainLedgerService.TOR_AGGREGATOR)).containsEntry(
                "quarkus.kafka-streams.application-server",
                "127.0.0.1:" + catalog.ports().port(TrainLedgerService.TOR_AGGREGATOR));
    }

    @Test
    void chaosIsOnByDefaultInTheEmbeddedDefaultAndCanBeSwitchedOff() {
        assertThat(ServiceCatalog.builder(repo, data, STACK).build().config(TrainLedgerService.TRAINER))
                .containsEntry("trainledger.trainer.chaos.enabled", "true");
        assertThat(ServiceCatalog.builder(repo, data, STACK).chaosEnabled(false).build().config(TrainLedgerService.TRAINER))
                .containsEntry("trainledger.trainer.chaos.enabled", "false");
    }

    @Test
    void overridesWinOverTheDefaults() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK)
                .override(TrainLedgerService.TRAINER, "trainledger.trainer.backbone.size", "small")
                .override(TrainLedgerService.TRAINER, "trainledger.trainer.chaos.enabled", "false")
                .build();
        assertThat(catalog.config(TrainLedgerService.TRAINER))
                .containsEntry("trainledger.trainer.backbone.size", "small")
                .containsEntry("trainledger.trainer.chaos.enabled", "false");
        assertThat(catalog.config(TrainLedgerService.CHECKPOINTER)).doesNotContainKey("trainledger.trainer.backbone.size");
    }

    @Test
    void theApiTokenGoesThroughTheEnvironmentNotTheCommandLine() throws Exception {
        fakeApps();
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        String token = Files.readString(data.resolve(ApiToken.FILE)).trim();
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(catalog.apiToken()).isEqualTo(token);
        ServiceSpec spec = catalog.spec(TrainLedgerService.TRAINER);
        assertThat(spec.env()).containsEntry(ApiToken.ENV_VAR, token);
        assertThat(String.join(" ", spec.command())).doesNotContain(token)
                .contains("-Dtrainledger.trainer.chaos.enabled=true")
                .contains(TrainLedgerService.TRAINER.quarkusAppDir(repo).resolve("quarkus-run.jar").toString());
        assertThat(spec.workDir()).isEqualTo(data.toAbsolutePath().resolve("services/trainer"));
    }

    @Test
    void theApiTokenFileIsPrivateAndKept() throws Exception {
        String first = ApiToken.loadOrCreate(data);
        assertThat(Files.getPosixFilePermissions(data.resolve(ApiToken.FILE)))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(ApiToken.loadOrCreate(data)).isEqualTo(first);
        assertThat(ApiToken.read(data)).isEqualTo(first);
        assertThat(ApiToken.loadOrCreate(repo)).isNotEqualTo(first);
    }

    @Test
    void anUnbuiltServiceIsNamedWithTheBuildCommand() {
        ServiceCatalog catalog = ServiceCatalog.builder(repo, data, STACK).build();
        assertThat(catalog.missingApps()).hasSize(4);
        assertThatThrownBy(() -> catalog.spec(TrainLedgerService.FAILURE_MONITOR))
                .hasMessageContaining("failure-monitor is not built")
                .hasMessageContaining("services/failure-monitor/target/quarkus-app/quarkus-run.jar")
                .hasMessageContaining("./mvnw");
    }

    @Test
    void portsAreRememberedPerDataDirectoryAndExplicitOnesWin() {
        ServicePorts first = ServicePorts.resolve(data);
        assertThat(ServicePorts.resolve(data)).isEqualTo(first);
        Map<TrainLedgerService, Integer> explicit = new EnumMap<>(TrainLedgerService.class);
        explicit.put(TrainLedgerService.TRAINER, 45678);
        ServicePorts second = ServicePorts.resolve(data, explicit);
        assertThat(second.port(TrainLedgerService.TRAINER)).isEqualTo(45678);
        assertThat(second.port(TrainLedgerService.CHECKPOINTER)).isEqualTo(first.port(TrainLedgerService.CHECKPOINTER));
        assertThat(ServicePorts.resolve(data).port(TrainLedgerService.TRAINER)).isEqualTo(45678);
    }

    @Test
    void endpointsRoundTripAndAMissingFileSaysHowToStartTheServices() {
        ServiceEndpoints endpoints = ServiceEndpoints.loopback(ServicePorts.resolve(data));
        endpoints.write(data);
        ServiceEndpoints read = ServiceEndpoints.read(data);
        assertThat(read).isEqualTo(endpoints);
        assertThat(read.url(TrainLedgerService.TRAINER).toString())
                .isEqualTo("http://127.0.0.1:" + ServicePorts.resolve(data).port(TrainLedgerService.TRAINER));
        assertThat(read.dashboard().toString()).endsWith(":" + ServicePorts.resolve(data).port(TrainLedgerService.TOR_AGGREGATOR) + "/");
        assertThat(read.url(TrainLedgerService.TRAINER, "/api/runs").getPath()).isEqualTo("/api/runs");
        ServiceEndpoints.delete(data);
        assertThatThrownBy(() -> ServiceEndpoints.read(data)).hasMessageContaining("not running")
                .hasMessageContaining("trainledger up");
    }

    private void fakeApps() throws Exception {
        for (TrainLedgerService s : TrainLedgerService.values()) {
            Files.createDirectories(s.quarkusAppDir(repo));
            Files.writeString(s.quarkusAppDir(repo).resolve("quarkus-run.jar"), "");
        }
    }
}
