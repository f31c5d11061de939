package io.trainledger.tor.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.events.RunEvent;
import io.trainledger.schemas.Topics;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.core.TorLedger;
import io.trainledger.tor.core.sim.RunEventFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fold's write-behind: a changed ledger reaches its store only when the task commits ({@link CommitHookStore}'s
 * {@code flushCache}, called by Kafka Streams before the transaction commits), once per run; a processor that is
 * re-initialised (its task aborted and revived) drops what it had not written. The expected ledgers are folded here
 * with {@link TorLedger} directly, event by event.
 */
class WriteBehindTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long S = 1_000_000L;

    private MockProcessorContext<String, TorReport> context;
    private KeyValueStore<String, TorLedger> ledgers;
    private CommitHookStore hook;
    private TorFoldProcessor processor;
    private final List<RunEvent> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(0);
        ledgers = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(TorTopology.LEDGER_STORE),
                Topics.RUN_EVENTS.keySerde(), TorLedgerSerde.create()).withLoggingDisabled().build();
        KeyValueStore<String, EmitMark> marks = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TorTopology.EMIT_STORE), Topics.RUN_EVENTS.keySerde(), EmitMark.serde())
                .withLoggingDisabled().build();
        KeyValueStore<String, byte[]> timelines = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(TorTopology.TIMELINE_STORE), Topics.RUN_EVENTS.keySerde(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        hook = CommitHookStore.builder(TorTopology.COMMIT_HOOK_STORE).build();
        for (var store : List.of(ledgers, marks, timelines, hook)) {
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        processor = new TorFoldProcessor(TopologySettings.defaults(), ReportSink.NONE);
        processor.init(context);

        RunEventFactory f = new RunEventFactory("run-w", 3);
        events.add(f.submitted(T0, 1.0, 100, 10));
        events.add(f.attemptStarted(T0 + 2 * S, 1, null, S, 0));
        for (int i = 1; i <= 6; i++) {
            events.add(f.step(T0 + (2 + i) * S, 1, i, S));
        }
    }

    @Test
    void ledgersReachTheStoreAtTheCommitOnly() {
        process(0, 5);
        assertThat(ledgers.get("run-w")).as("nothing written before the commit").isNull();
        assertThat(context.forwarded()).as("reports are not held back by the write-behind").isNotEmpty();

        hook.flushCache(); // what Kafka Streams calls at the start of a commit
        assertThat(ledgers.get("run-w").toBytes()).isEqualTo(fold(5).toBytes());

        process(5, 8);
        assertThat(ledgers.get("run-w").toBytes()).as("still the committed fold").isEqualTo(fold(5).toBytes());
        hook.flushCache();
        assertThat(ledgers.get("run-w").toBytes()).isEqualTo(fold(8).toBytes());
    }

    @Test
    void aReinitialisedProcessorDropsWhatItHadNotWritten() {
        process(0, 5);
        hook.flushCache();
        process(5, 8); // folded, not committed: the transaction that held these events is aborted

        processor.close();
        processor.init(context); // the revived task re-initialises its processor
        hook.flushCache();
        assertThat(ledgers.get("run-w").toBytes()).as("the committed fold, not the aborted one")
                .isEqualTo(fold(5).toBytes());

        process(5, 8); // the events are delivered again after the abort
        hook.flushCache();
        assertThat(ledgers.get("run-w").toBytes()).isEqualTo(fold(8).toBytes());
    }

    private void process(int from, int to) {
        for (int i = from; i < to; i++) {
            RunEvent e = events.get(i);
            processor.process(new Record<>("run-w", e, e.getEventTime().toEpochMilli()));
        }
    }

    private TorLedger fold(int n) {
        TorLedger ledger = TorLedger.create();
        events.subList(0, n).forEach(ledger::apply);
        return ledger;
    }
}
