package io.trainledger.checkpointer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Liveness (both Kafka loops alive) and readiness (history folded, consumer group polling). */
public final class CheckpointerHealth {
    private CheckpointerHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        Checkpointer checkpointer;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("checkpointer-loops").status(checkpointer.live()).build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        Checkpointer checkpointer;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("checkpointer-ledger").status(checkpointer.ready()).build();
        }
    }
}
