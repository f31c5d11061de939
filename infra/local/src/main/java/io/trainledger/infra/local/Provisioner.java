package io.trainledger.infra.local;

import io.trainledger.schemas.Topic;
import io.trainledger.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent provisioning of a cluster for TrainLedger: every topic of the {@link Topics} catalogue with its
 * settings, and the registry's global rules (BACKWARD compatibility, full validity). Safe to run at every start.
 */
public final class Provisioner {
    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

    private Provisioner() {
    }

    /**
     * Creates missing topics and brings the configuration of existing ones in line with the catalogue. Partition
     * counts of existing topics are never changed: the key-to-partition mapping of the ledger must stay stable.
     *
     * @param partitions partitions for new keyed topics; 0 for the catalogue's defaults
     */
    public static void provisionTopics(String bootstrapServers, int partitions, short replicationFactor)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> create = new ArrayList<>();
            for (Topic<?, ?> topic : Topics.all()) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                int n = partitions > 0 && topic != Topics.DLQ ? partitions : topic.defaultPartitions();
                create.add(new NewTopic(topic.name(), n, replicationFactor).configs(topic.config()));
            }
            if (!create.isEmpty()) {
                try {
                    admin.createTopics(create).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                    // Raced with another provisioner: fine, configs are aligned below.
                }
                LOG.info("created topics {}", create.stream().map(NewTopic::name).toList());
            }
            Map<ConfigResource, Collection<AlterConfigOp>> alter = new java.util.HashMap<>();
            for (Topic<?, ?> topic : Topics.all()) {
                List<AlterConfigOp> ops = new ArrayList<>();
                topic.config().forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
                alter.put(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()), ops);
            }
            admin.incrementalAlterConfigs(alter).all().get();
            Map<String, TopicDescription> described = admin.describeTopics(
                    Topics.all().stream().map(Topic::name).toList()).allTopicNames().get();
            described.forEach((name, d) -> LOG.info("topic {}: {} partitions", name, d.partitions().size()));
        }
    }

    /** Sets the registry's global rules: BACKWARD compatibility and FULL validity (create, or update if present). */
    public static void provisionRegistryRules(String registryUrl) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        setGlobalRule(http, registryUrl, "COMPATIBILITY", "BACKWARD");
        setGlobalRule(http, registryUrl, "VALIDITY", "FULL");
    }

    private static void setGlobalRule(HttpClient http, String registryUrl, String type, String config)
            throws IOException, InterruptedException {
        String body = "{\"ruleType\":\"" + type + "\",\"config\":\"" + config + "\"}";
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/admin/rules"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() / 100 == 2) {
            LOG.info("registry rule {}={} created", type, config);
            return;
        }
        if (created.statusCode() != 409) {
            throw new IOException("registry refused rule " + type + ": HTTP " + created.statusCode() + " " + created.body());
        }
        HttpResponse<String> updated = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/admin/rules/" + type))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (updated.statusCode() / 100 != 2) {
            throw new IOException("registry refused to update rule " + type + ": HTTP " + updated.statusCode() + " " + updated.body());
        }
    }
}
