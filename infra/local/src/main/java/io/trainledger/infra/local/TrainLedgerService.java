package io.trainledger.infra.local;

import java.nio.file.Path;

/**
 * The four services of TrainLedger, as the embedded default runs them: their module name under {@code services/}
 * (also the name of their log, data directory and endpoint key) and where their packaged Quarkus app lives.
 */
public enum TrainLedgerService {
    TRAINER("trainer"),
    CHECKPOINTER("checkpointer"),
    FAILURE_MONITOR("failure-monitor"),
    TOR_AGGREGATOR("tor-aggregator");

    private final String id;

    TrainLedgerService(String id) {
        this.id = id;
    }

    /** {@code trainer}, {@code checkpointer}, {@code failure-monitor} or {@code tor-aggregator}. */
    public String id() {
        return id;
    }

    /** Key of this service's base URL in {@code endpoints.properties}, e.g. {@code trainer.url}. */
    public String endpointKey() {
        return id + ".url";
    }

    /** {@code <repoRoot>/services/<id>/target/quarkus-app}, where {@code ./mvnw package} puts the runnable app. */
    public Path quarkusAppDir(Path repoRoot) {
        return repoRoot.resolve("services").resolve(id).resolve("target").resolve("quarkus-app");
    }

    /** The service's own data directory under a stack's data directory: {@code <dataDir>/services/<id>}. */
    public Path dataDir(Path stackDataDir) {
        return stackDataDir.resolve("services").resolve(id);
    }

    /** The service with this id. */
    public static TrainLedgerService byId(String id) {
        for (TrainLedgerService s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown service '" + id + "' (known: trainer, checkpointer, "
                + "failure-monitor, tor-aggregator)");
    }
}
