package io.trainledger.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trainledger.infra.local.ServiceSupervisor.RestartPolicy;
import io.trainledger.infra.local.StackConnection;
import io.trainledger.testing.EmbeddedStackExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A trainer's clean stop hands its command partitions over at once. Under a supervisor the trainer is a static
 * member of its group (a restart after a crash takes its partitions back without a rebalance), and a static member
 * that merely closes stays in the group until its session times out; the trainer leaves explicitly on a clean stop
 * (KIP-1092). The session timeout here is 120 s, far longer than the wait: the member can only be gone in time because
 * it left.
 */
@ExtendWith(EmbeddedStackExtension.class)
class TrainerCleanStopIT {
    private static final String T = "trainer-clean-stop";
    private static final String TRAINER_GROUP = "trainledger-trainer";
    private static final Duration LONG_SESSION = Duration.ofSeconds(120);

    private static ServiceFleet fleet;
    private static Admin admin;

    @BeforeAll
    static void start(StackConnection stack) {
        fleet = new ServiceFleet(stack, T);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()));
    }

    @AfterAll
    static void stop() throws Exception {
        E2e.closeAll(admin, fleet);
    }

    @Test
    void aCleanStopLeavesTheGroupWithoutWaitingForTheSessionTimeout() throws Exception {
        fleet.startTrainer("trainer-s", false, RestartPolicy.never(),
                Map.of("trainledger.trainer.session-timeout", LONG_SESSION.toString()));
        fleet.awaitReady("trainer-s", Duration.ofMinutes(6));
        String instanceId = "trainer-s-" + fleet.dir().getFileName();
        await("trainer-s joined as static member " + instanceId).atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(250)).until(() -> member(instanceId).isPresent());

        int exit = fleet.supervisor().process("trainer-s").orElseThrow().stop(Duration.ofSeconds(60));
        long stoppedAt = System.nanoTime();
        await("static member " + instanceId + " gone").atMost(LONG_SESSION.dividedBy(2))
                .pollInterval(Duration.ofMillis(250)).until(() -> member(instanceId).isEmpty());
        E2e.figure(T, "clean stop", String.format(java.util.Locale.ROOT,
                "exit %d; member gone %.1f s after the process ended (session timeout %d s)", exit,
                (System.nanoTime() - stoppedAt) / 1e9, LONG_SESSION.toSeconds()));
        assertThat(fleet.logTail("trainer-s", 200)).as("the trainer's log").doesNotContain("command loop died");
    }

    private static Optional<MemberDescription> member(String instanceId) throws Exception {
        List<MemberDescription> members = List.copyOf(admin.describeConsumerGroups(List.of(TRAINER_GROUP))
                .describedGroups().get(TRAINER_GROUP).get().members());
        return members.stream().filter(m -> m.groupInstanceId().filter(instanceId::equals).isPresent()).findFirst();
    }
}
