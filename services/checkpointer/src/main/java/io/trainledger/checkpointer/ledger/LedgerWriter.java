package io.trainledger.checkpointer.ledger;

import io.trainledger.commands.RunCommand;
import io.trainledger.events.EventSource;
import io.trainledger.events.RunEvent;
import io.trainledger.schemas.OperatorKafkaSettings;
import io.trainledger.schemas.RegistrySettings;
import io.trainledger.schemas.RunEvents;
import io.trainledger.schemas.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Appends the checkpointer's facts to the ledger and its requests to the commands topic: idempotent producers with
 * acks=all, and every append waits for the broker's acknowledgement (the caller commits its input offset only
 * after that).
 */
public final class LedgerWriter implements AutoCloseable {
    private static final long ACK_TIMEOUT_SECONDS = 30;

    private final KafkaProducer<String, RunEvent> events;
    private final KafkaProducer<String, RunCommand> commands;
    private final EventSource source;

    public LedgerWriter(String bootstrapServers, RegistrySettings registry, EventSource source,
                        OperatorKafkaSettings kafka) {
        this.events = new KafkaProducer<>(producerConfig(bootstrapServers, "checkpointer-ledger-" + source.getInstance(),
                kafka), Topics.RUN_EVENTS.keySerde().serializer(), Topics.RUN_EVENTS.valueSerde(registry).serializer());
        this.commands = new KafkaProducer<>(producerConfig(bootstrapServers,
                "checkpointer-commands-" + source.getInstance(), kafka), Topics.COMMANDS.keySerde().serializer(),
                Topics.COMMANDS.valueSerde(registry).serializer());
        this.source = source;
    }

    /** Idempotent, acks=all, no linger; the operator's producer settings (security, ...) under these. */
    public static Map<String, Object> producerConfig(String bootstrapServers, String clientId,
                                                     OperatorKafkaSettings kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return kafka.producer(config);
    }

    /** Who this checkpointer is on the ledger. */
    public EventSource source() {
        return source;
    }

    /** A new envelope from this checkpointer. */
    public RunEvent event(String runId, int attempt, SpecificRecord payload) {
        return RunEvents.of(runId, attempt, source, payload);
    }

    /** Appends an event and waits until the broker acknowledged it. */
    public RecordMetadata append(RunEvent event) {
        return await(events.send(new ProducerRecord<>(Topics.RUN_EVENTS.name(), event.getRunId(), event)),
                "append " + event.getPayload().getClass().getSimpleName() + " for run " + event.getRunId());
    }

    /** Sends a command and waits until the broker acknowledged it. */
    public RecordMetadata send(RunCommand command) {
        return await(commands.send(new ProducerRecord<>(Topics.COMMANDS.name(), command.getRunId(), command)),
                "send " + command.getPayload().getClass().getSimpleName() + " for run " + command.getRunId());
    }

    private static RecordMetadata await(java.util.concurrent.Future<RecordMetadata> ack, String what) {
        try {
            return ack.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("not acknowledged: " + what, e);
        }
    }

    @Override
    public void close() {
        events.close(java.time.Duration.ofSeconds(10));
        commands.close(java.time.Duration.ofSeconds(10));
    }
}
