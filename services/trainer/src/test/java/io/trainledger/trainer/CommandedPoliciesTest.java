package io.trainledger.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.trainledger.commands.CancelRun;
import io.trainledger.commands.RunCommand;
import io.trainledger.commands.SetCheckpointPolicy;
import io.trainledger.events.CheckpointPolicy;
import io.trainledger.schemas.RunEvents;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CommandedPoliciesTest {

    @Test
    void theLastValidPolicyOfEachRunWins() {
        Map<String, CheckpointPolicy> latest = new HashMap<>();
        CommandedPolicies.apply(latest, command("a", policy(10)));
        CommandedPolicies.apply(latest, command("b", policy(7)));
        CommandedPolicies.apply(latest, command("a", policy(25)));
        CommandedPolicies.apply(latest, command("a", policy(0)));          // invalid: refused by the trainer too
        CommandedPolicies.apply(latest, command("b", new CancelRun("x"))); // not a policy

        assertThat(latest).containsOnlyKeys("a", "b");
        assertThat(latest.get("a").getIntervalSteps()).isEqualTo(25);
        assertThat(latest.get("b").getIntervalSteps()).isEqualTo(7);
    }

    private static SetCheckpointPolicy policy(int interval) {
        return SetCheckpointPolicy.newBuilder()
                .setPolicy(CheckpointPolicy.newBuilder().setIntervalSteps(interval).build()).setReason("test").build();
    }

    private static RunCommand command(String runId, Object payload) {
        return RunCommand.newBuilder().setCommandId(UUID.randomUUID()).setRunId(runId).setIssuedAt(Instant.EPOCH)
                .setIssuedBy(RunEvents.source("test", "t")).setPayload(payload).build();
    }
}
