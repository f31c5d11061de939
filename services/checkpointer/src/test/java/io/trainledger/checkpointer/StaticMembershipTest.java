package io.trainledger.checkpointer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.trainledger.schemas.GroupMembership;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.testing.TrainLedgerStackResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Static group membership of the snapshot processor on the real broker: the service's own member carries the
 * configured {@code group.instance.id}, and a clean close leaves the group at once although a static member
 * normally stays until its session times out (the control: a plain close keeps the member).
 */
@QuarkusTest
@QuarkusTestResource(TrainLedgerStackResource.class)
class StaticMembershipTest {
    /** Far longer than the waits below: a member can only be gone in time because it left. */
    private static final Duration LONG_SESSION = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    @Test
    void theServiceJoinsWithItsConfiguredInstanceId() {
        String id = ConfigProvider.getConfig().getValue("trainledger.checkpointer.group-instance-id", String.class);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(members(admin, "trainledger-checkpointer"))
                    .extracting(m -> m.groupInstanceId().orElse(null)).contains(id));
        }
    }

    @Test
    void aCleanCloseLeavesTheGroupAtOnceWhileAPlainCloseStays() throws Exception {
        String topic = "static-membership-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();

            String leaving = "leaving-" + UUID.randomUUID();
            KafkaConsumer<byte[], byte[]> a = joined(leaving, "checkpointer-a", topic, admin);
            GroupMembership.closeLeavingGroup(a);
            await().atMost(WAIT).untilAsserted(() -> assertThat(members(admin, leaving)).isEmpty());

            String staying = "staying-" + UUID.randomUUID();
            KafkaConsumer<byte[], byte[]> b = joined(staying, "checkpointer-b", topic, admin);
            b.close(Duration.ofSeconds(10));
            // A static member closed without the explicit leave stays (until its 120 s session expires).
            await().during(Duration.ofSeconds(5)).atMost(WAIT).untilAsserted(() -> assertThat(members(admin, staying))
                    .extracting(m -> m.groupInstanceId().orElse(null)).containsExactly("checkpointer-b"));
        }
    }

    private static KafkaConsumer<byte[], byte[]> joined(String group, String instanceId, String topic, Admin admin)
            throws Exception {
        SnapshotProcessor.Membership membership =
                new SnapshotProcessor.Membership(group, Optional.of(instanceId), LONG_SESSION);
        Map<String, Object> config = SnapshotProcessor.consumerConfig(bootstrap(), membership, "test-" + instanceId,
                OperatorKafkaSettings.none());
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        await().atMost(WAIT).pollInSameThread().until(() -> {
            c.poll(Duration.ofMillis(200));
            return !c.assignment().isEmpty();
        });
        assertThat(members(admin, group)).extracting(m -> m.groupInstanceId().orElse(null))
                .containsExactly(instanceId);
        return c;
    }

    private static List<MemberDescription> members(Admin admin, String group) throws Exception {
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        return List.copyOf(d.members());
    }
}
