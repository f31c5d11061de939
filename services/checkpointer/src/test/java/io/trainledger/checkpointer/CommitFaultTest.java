package io.trainledger.checkpointer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommitFaultTest {

    @Test
    void refusedUnlessEnabled() throws Exception {
        CommitFault off = new CommitFault(false);
        List<Integer> halts = new ArrayList<>();
        off.haltWith(halts::add);

        assertThat(off.arm(Optional.empty())).isFalse();
        off.beforeCommit("r", 10, "abc");
        assertThat(halts).isEmpty();
    }

    @Test
    void armedForOneRunHaltsOnceOnThatRunOnly() throws Exception {
        CommitFault on = new CommitFault(true);
        List<Integer> halts = new ArrayList<>();
        on.haltWith(halts::add);

        assertThat(on.arm(Optional.of("r1"))).isTrue();
        on.beforeCommit("r2", 10, "abc");
        assertThat(halts).isEmpty();
        on.beforeCommit("r1", 10, "abc");
        on.beforeCommit("r1", 20, "def");
        assertThat(halts).containsExactly(137);
        assertThat(on.armed()).isEmpty();
    }
}
