package io.trainledger.checkpointer;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Fault hook for end-to-end tests of crash safety: once armed (over REST, only when
 * {@code trainledger.checkpointer.chaos.enabled=true}), the next snapshot (of one run, or of any) halts the process
 * after its bytes are durable in the store and before {@code CheckpointCommitted} is appended, i.e. a kill -9
 * "between write and commit". Arming lives in memory only: the restarted process is not armed, finds the bytes in
 * the store when the snapshot is redelivered, verifies them and commits.
 */
@ApplicationScoped
public class CommitFault {
    private static final Logger LOG = Logger.getLogger(CommitFault.class);
    /** Exit status of the halt, as a kill -9 shows in a shell (128 + 9). */
    public static final int HALT_STATUS = 137;

    /** How the process ends; tests replace it to observe the hook without losing their JVM. */
    @FunctionalInterface
    public interface Halt {
        void now(int status) throws IOException;
    }

    /** An armed hook: which run it waits for (empty: any). */
    public record Armed(Optional<String> runId) {
    }

    private final boolean enabled;
    private final AtomicReference<Armed> armed = new AtomicReference<>();
    private volatile Halt halt = status -> Runtime.getRuntime().halt(status);

    @Inject
    CommitFault(CheckpointerConfig config) {
        this(config.chaos().enabled());
    }

    CommitFault(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Arms the hook for the next snapshot of {@code runId} (or of any run); refused when chaos is disabled. */
    public boolean arm(Optional<String> runId) {
        if (!enabled) {
            return false;
        }
        armed.set(new Armed(runId));
        LOG.warnf("commit fault armed: the next snapshot%s halts the process between write and commit",
                runId.map(r -> " of run " + r).orElse(""));
        return true;
    }

    public Optional<Armed> armed() {
        return Optional.ofNullable(armed.get());
    }

    /** Called after the bytes are durable and before the commit is appended. */
    void beforeCommit(String runId, long step, String sha256) throws IOException {
        Armed a = armed.get();
        if (a == null || (a.runId().isPresent() && !a.runId().get().equals(runId)) || !armed.compareAndSet(a, null)) {
            return;
        }
        LOG.errorf("run %s: commit fault: halting with status %d after storing step %d (%s), before its commit",
                runId, HALT_STATUS, step, sha256);
        halt.now(HALT_STATUS);
    }

    void haltWith(Halt halt) {
        this.halt = halt;
    }
}
