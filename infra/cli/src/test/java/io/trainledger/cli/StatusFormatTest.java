package io.trainledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** {@code status}'s text for the aggregator's JSON (the shapes of GET /runs and GET /runs/{run}). */
class StatusFormatTest {
    private static JsonNode json(String s) throws Exception {
        return ServiceClient.JSON.readTree(s);
    }

    @Test
    void runsAreListedNewestFirstAndANullTorShowsAsADash() throws Exception {
        JsonNode body = json("""
                {"instance": "127.0.0.1:1", "unreachable": ["127.0.0.1:2"], "runs": [
                  {"runId": "old", "status": "COMPLETED", "tor": 0.71234, "asOfEventTime": "2026-11-26T10:00:00Z",
                   "eventsFolded": 10, "preservedSteps": 300, "failures": 2},
                  {"runId": "new", "status": "RUNNING", "tor": null, "asOfEventTime": "2026-11-26T11:00:00Z",
                   "eventsFolded": 3, "preservedSteps": 0, "failures": 0}]}""");
        assertThat(StatusCommand.runsTable(body)).containsExactly(
                "RUN                                    STATUS         TOR     STEPS FAILURES  AS OF",
                "new                                    RUNNING          -         0        0  2026-11-26T11:00:00Z",
                "old                                    COMPLETED   0.7123       300        2  2026-11-26T10:00:00Z",
                "(aggregator instance not answering: 127.0.0.1:2)");
        assertThat(StatusCommand.runsTable(json("{\"runs\": []}"))).containsExactly("No runs yet.");
    }

    @Test
    void oneReportShowsTorTimesNonZeroBucketsFailuresAndTheModel() throws Exception {
        JsonNode report = json("""
                {"runId": "r1", "status": "COMPLETED", "tor": 0.5, "tObsNanos": 120000000000, "tOptNanos": 60000000000,
                 "preservedSteps": 1000, "executedSteps": 1100,
                 "badput": {"queuedNanos": 0, "initNanos": 30000000000, "wastedNanos": 30000000000},
                 "failures": [{"type": "CRASH", "count": 2}],
                 "model": {"predictedTor": 0.55, "dalyIntervalSeconds": 12.5, "tauSeconds": 5.0, "mtbfSeconds": null}}""");
        assertThat(StatusCommand.reportLines(report)).containsExactly(
                "Run r1: COMPLETED, TOR 0.5000",
                "  T_obs 2m00s, T_opt 1m00s; steps preserved 1000, executed 1100",
                "  badput: init 30.0 s, wasted 30.0 s",
                "  CRASH x2",
                "  model: predicted TOR 0.5500, recommended interval 12.5 s (Daly), current 5.0 s");
    }
}
