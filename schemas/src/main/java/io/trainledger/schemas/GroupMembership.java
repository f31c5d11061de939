package io.trainledger.schemas;

import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;

/** How the services' group consumers end their membership. */
public final class GroupMembership {
    private GroupMembership() {
    }

    /**
     * Closes {@code consumer} and leaves its group, static member or not. A static member does not leave on a plain
     * close (that is what lets a restarted process take its partitions back at once); a clean stop, or a loop that
     * died, must hand them over now rather than after the session timeout, so the leave is explicit (KIP-1092). A
     * crash never gets here and keeps the fast static rejoin.
     */
    public static void closeLeavingGroup(Consumer<?, ?> consumer) {
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
