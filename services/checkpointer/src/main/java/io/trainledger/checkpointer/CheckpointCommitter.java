package io.trainledger.checkpointer;

import io.micrometer.core.instrument.MeterRegistry;
import io.trainledger.checkpointer.ledger.CheckpointIndex;
import io.trainledger.checkpointer.ledger.CommittedCheckpoint;
import io.trainledger.checkpointer.ledger.LedgerWriter;
import io.trainledger.checkpointer.ledger.RunCheckpoints;
import io.trainledger.checkpointer.retention.RetentionPolicy;
import io.trainledger.checkpointer.store.CheckpointStore;
import io.trainledger.checkpointer.store.ContentMismatchException;
import io.trainledger.checkpointer.store.StoredCheckpoint;
import io.trainledger.checkpointer.store.Verification;
import io.trainledger.events.CheckpointCommitted;
import io.trainledger.events.CheckpointDeleted;
import io.trainledger.events.CheckpointRejected;
import io.trainledger.events.CheckpointSnapshotted;
import io.trainledger.events.RunEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Makes one snapshot durable: skip it when already decided (redelivery), copy the staged bytes into the store
 * (which verifies them), append CheckpointCommitted or CheckpointRejected and wait for the acknowledgement, then
 * apply retention to the run. Transient failures (store I/O, broker) propagate so the caller retries the record.
 */
public final class CheckpointCommitter {
    private static final Logger LOG = Logger.getLogger(CheckpointCommitter.class);

    /** What became of a snapshot. */
    public enum Outcome { COMMITTED, REJECTED, DUPLICATE }

    private final CheckpointStore store;
    private final LedgerWriter ledger;
    private final CheckpointIndex index;
    private final Optional<Path> stagingDir;
    private final boolean deleteStaged;
    private final MeterRegistry metrics;
    private final CommitFault fault;

    public CheckpointCommitter(CheckpointStore store, LedgerWriter ledger, CheckpointIndex index,
                               Optional<Path> stagingDir, boolean deleteStaged, MeterRegistry metrics,
                               CommitFault fault) {
        this.fault = fault;
        this.store = store;
        this.ledger = ledger;
        this.index = index;
        this.stagingDir = stagingDir.map(p -> p.toAbsolutePath().normalize());
        this.deleteStaged = deleteStaged;
        this.metrics = metrics;
    }

    /** Handles one CheckpointSnapshotted envelope. */
    public Outcome handle(RunEvent event) throws IOException {
        CheckpointSnapshotted snapshot = (CheckpointSnapshotted) event.getPayload();
        String runId = event.getRunId();
        RunCheckpoints run = index.runOrCreate(runId);
        String sha = snapshot.getSha256() == null ? "" : snapshot.getSha256().toLowerCase(java.util.Locale.ROOT);
        if (run.decided(snapshot.getStep(), sha)) {
            LOG.infof("run %s: snapshot at step %d (%s) already decided, skipping the redelivery", runId,
                    snapshot.getStep(), shortSha(sha));
            metrics.counter("trainledger.checkpointer.snapshots", "outcome", "duplicate").increment();
            return Outcome.DUPLICATE;
        }
        if (!CheckpointStore.isValidName(sha)) {
            return reject(event, snapshot, "malformed sha256 '" + snapshot.getSha256() + "'");
        }
        long started = System.nanoTime();
        StoredCheckpoint stored;
        Path staged = null;
        Optional<StoredCheckpoint> existing = store.find(sha);
        Verification existingCheck = existing.isPresent() ? store.verify(sha) : null;
        if (existingCheck != null && existingCheck.ok() && existingCheck.bytes() == snapshot.getBytes()) {
            // Same bytes already durable (a crash between write and commit, or another run with identical state).
            stored = new StoredCheckpoint(sha, existingCheck.bytes(), store.uri(sha));
            staged = stagedPath(snapshot.getStagingUri()).orElse(null);
        } else {
            Optional<Path> path = stagedPath(snapshot.getStagingUri());
            if (path.isEmpty()) {
                return reject(event, snapshot, stagingProblem(snapshot.getStagingUri()));
            }
            staged = path.get();
            if (!Files.isRegularFile(staged)) {
                return reject(event, snapshot, "staged file missing: " + staged);
            }
            try {
                stored = store.put(staged, sha, snapshot.getBytes());
            } catch (ContentMismatchException e) {
                return reject(event, snapshot, e.getMessage());
            }
        }
        long persistNanos = System.nanoTime() - started;
        fault.beforeCommit(runId, snapshot.getStep(), sha);
        RunEvent committed = ledger.event(runId, event.getAttempt(), CheckpointCommitted.newBuilder()
                .setStep(snapshot.getStep())
                .setUri(stored.uri().toString())
                .setSha256(sha)
                .setBytes(stored.bytes())
                .setPersistNanos(persistNanos)
                .build());
        ledger.append(committed);
        index.committed(new CommittedCheckpoint(runId, event.getAttempt(), snapshot.getStep(), sha,
                stored.uri().toString(), stored.bytes(), persistNanos, committed.getEventTime()));
        metrics.counter("trainledger.checkpointer.snapshots", "outcome", "committed").increment();
        metrics.timer("trainledger.checkpointer.persist").record(java.time.Duration.ofNanos(persistNanos));
        LOG.infof("run %s: committed step %d as %s (%d bytes, persisted in %.1f ms)", runId, snapshot.getStep(),
                stored.uri(), stored.bytes(), persistNanos / 1e6);
        removeStaged(runId, staged);
        applyRetention(run);
        return Outcome.COMMITTED;
    }

    /** Deletes what the run's policy no longer keeps: CheckpointDeleted first, then the bytes if nothing shares them. */
    public void applyRetention(RunCheckpoints run) throws IOException {
        for (RetentionPolicy.Expired expired : RetentionPolicy.expired(run.committed(), run.policy())) {
            CommittedCheckpoint c = expired.checkpoint();
            ledger.append(ledger.event(run.runId(), c.attempt(), CheckpointDeleted.newBuilder()
                    .setStep(c.step())
                    .setUri(c.uri())
                    .setSha256(c.sha256())
                    .setReason(expired.reason())
                    .build()));
            index.deleted(run.runId(), c.step(), c.sha256());
            boolean shared = index.referenced(c.sha256());
            if (!shared) {
                store.delete(c.sha256());
            }
            metrics.counter("trainledger.checkpointer.deletions").increment();
            LOG.infof("run %s: deleted checkpoint at step %d (%s)%s", run.runId(), c.step(), expired.reason(),
                    shared ? "; bytes kept, another checkpoint has the same content" : "");
        }
    }

    private Outcome reject(RunEvent event, CheckpointSnapshotted snapshot, String reason) {
        ledger.append(ledger.event(event.getRunId(), event.getAttempt(), CheckpointRejected.newBuilder()
                .setStep(snapshot.getStep())
                .setUri(snapshot.getStagingUri())
                .setSha256(snapshot.getSha256())
                .setReason(reason)
                .build()));
        if (snapshot.getSha256() != null) {
            index.rejected(event.getRunId(), snapshot.getStep(),
                    snapshot.getSha256().toLowerCase(java.util.Locale.ROOT));
        }
        metrics.counter("trainledger.checkpointer.snapshots", "outcome", "rejected").increment();
        LOG.warnf("run %s: rejected snapshot at step %d: %s", event.getRunId(), snapshot.getStep(), reason);
        return Outcome.REJECTED;
    }

    /** The staged file a staging URI names, when it is a file:// URI (under the staging directory, if configured). */
    Optional<Path> stagedPath(String stagingUri) {
        try {
            URI uri = URI.create(stagingUri);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                return Optional.empty();
            }
            Path path = Path.of(uri).toAbsolutePath().normalize();
            if (stagingDir.isPresent() && !path.startsWith(stagingDir.get())) {
                return Optional.empty();
            }
            return Optional.of(path);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String stagingProblem(String stagingUri) {
        try {
            URI uri = URI.create(stagingUri);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                return "unsupported staging URI scheme: " + stagingUri;
            }
            Path.of(uri);
            return "staged file outside the staging directory " + stagingDir.map(Path::toString).orElse("?") + ": "
                    + stagingUri;
        } catch (RuntimeException e) {
            return "malformed staging URI '" + stagingUri + "': " + e.getMessage();
        }
    }

    private void removeStaged(String runId, Path staged) {
        if (!deleteStaged || staged == null || stagingDir.isEmpty()) {
            return;
        }
        try {
            Files.deleteIfExists(staged);
        } catch (IOException e) {
            LOG.warnf("run %s: could not remove staged file %s: %s", runId, staged, e);
        }
    }

    private static String shortSha(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }
}
