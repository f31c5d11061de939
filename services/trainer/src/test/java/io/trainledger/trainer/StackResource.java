package io.trainledger.trainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.trainledger.testing.TrainLedgerStackResource;
import java.util.Map;

/**
 * {@link TrainLedgerStackResource} started with its own class loader as the thread's context loader. Quarkus starts
 * test resources on a pool thread whose context loader is sometimes the system loader; Kafka's admin client then
 * loads classes by name (metrics reporters, config classes) from a second copy of kafka-clients, which failed the
 * start (ClassCastException on JmxReporter) or the application later (loader constraint on Serde), now and then.
 */
public final class StackResource implements QuarkusTestResourceLifecycleManager {
    private final TrainLedgerStackResource delegate = new TrainLedgerStackResource();

    @Override
    public Map<String, String> start() {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(TrainLedgerStackResource.class.getClassLoader());
        try {
            return delegate.start();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void stop() {
        delegate.stop();
    }
}
