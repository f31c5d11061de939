package io.trainledger.trainer;

import jakarta.enterprise.context.ApplicationScoped;

/** What an attempt needs from the service: ledger access, the PLPP environments, staging, metrics, settings. */
@ApplicationScoped
public class AttemptServices {
    private final LedgerWriter writer;
    private final LedgerReader reader;
    private final PlppEnvironments environments;
    private final TrainerMetrics metrics;
    private final TrainerConfig config;
    private final SnapshotStaging staging;

    AttemptServices(LedgerWriter writer, LedgerReader reader, PlppEnvironments environments, TrainerMetrics metrics,
                    TrainerConfig config) {
        this.writer = writer;
        this.reader = reader;
        this.environments = environments;
        this.metrics = metrics;
        this.config = config;
        this.staging = new SnapshotStaging(config.stagingDir().orElse(config.dataDir().resolve("staging")));
    }

    LedgerWriter writer() {
        return writer;
    }

    LedgerReader reader() {
        return reader;
    }

    PlppEnvironments environments() {
        return environments;
    }

    TrainerMetrics metrics() {
        return metrics;
    }

    TrainerConfig config() {
        return config;
    }

    SnapshotStaging staging() {
        return staging;
    }
}
