package io.trainledger.trainer;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.List;

/** {@code GET /runs}: the runs this instance owns and where their attempts stand (read-only, for operators). */
@Path("/runs")
public class RunsResource {
    private final OwnedRuns runs;

    RunsResource(OwnedRuns runs) {
        this.runs = runs;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String list() {
        List<RunSlot> slots = runs.slots().stream().sorted(Comparator.comparing(RunSlot::runId)).toList();
        StringBuilder out = new StringBuilder("runId\tpartition\toutcome\tattempt\tstep\tactive\n");
        for (RunSlot s : slots) {
            RunAttempt a = s.current;
            out.append(s.runId()).append('\t').append(s.state.partition()).append('\t').append(s.state.outcome())
                    .append('\t').append(a == null ? s.state.lastAttempt() : a.attempt())
                    .append('\t').append(a == null ? s.state.lastStep() : a.step())
                    .append('\t').append(a != null && a.active()).append('\n');
        }
        return out.toString();
    }
}
