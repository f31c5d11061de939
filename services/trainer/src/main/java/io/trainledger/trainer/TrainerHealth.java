package io.trainledger.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Liveness: the command loop is alive. Readiness: it polls the broker and the PLPP backbone is open. */
public final class TrainerHealth {
    private TrainerHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class CommandLoopAlive implements HealthCheck {
        private final CommandConsumer consumer;

        CommandLoopAlive(CommandConsumer consumer) {
            this.consumer = consumer;
        }

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("trainer-command-loop")
                    .status(consumer.running() && consumer.failure().isEmpty())
                    .withData("failure", consumer.failure().orElse("none"))
                    .build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final CommandConsumer consumer;
        private final PlppEnvironments environments;
        private final TrainerConfig config;

        Ready(CommandConsumer consumer, PlppEnvironments environments, TrainerConfig config) {
            this.consumer = consumer;
            this.environments = environments;
            this.config = config;
        }

        @Override
        public HealthCheckResponse call() {
            Instant last = consumer.lastPoll();
            boolean polling = last != null && Duration.between(last, Instant.now()).toSeconds() < 30;
            boolean backbone = !config.backbone().warmUp() || environments.warm();
            return HealthCheckResponse.named("trainer-ready")
                    .status(polling && backbone)
                    .withData("polling", polling)
                    .withData("backbone", backbone)
                    .withData("partitions", consumer.assigned().toString())
                    .withData("warmUpError", environments.warmUpError() == null ? "none" : environments.warmUpError())
                    .build();
        }
    }
}
