package io.trainledger.e2e;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * The trainer's command REST API (contract 2) as the CLI uses it: {@code POST /api/runs} with a RunConfig in plain
 * JSON (Avro field names, enum symbols, nested {@code checkpoint}), {@code /api/runs/{id}/faults},
 * {@code /api/runs/{id}/cancel}, with the bearer token.
 */
final class TrainerApi {
    private final ServiceFleet fleet;
    private final String trainer;

    TrainerApi(ServiceFleet fleet, String trainer) {
        this.fleet = fleet;
        this.trainer = trainer;
    }

    /** Submits the small PLPP/CoOp run of {@link Runs#small} as JSON; fails unless the trainer answers 202. */
    void submitSmall(String runId, String method, long steps, int interval, long seed) {
        String json = String.format(Locale.ROOT, """
                {"runId": "%s", "method": "%s", "dataset": "hue-shift", "shots": 2, "seed": %d, "steps": %d,
                 "batchSize": 16, "contextLength": 4, "contextInit": "a photo of a", "device": "cpu",
                 "alignment": "NEXT_TOKEN", "checkpoint": {"intervalSteps": %d, "adaptive": false}}""",
                runId, method, seed, steps, interval);
        expect202(post("/api/runs", json), "submit " + runId);
    }

    void injectFault(String runId, String type) {
        expect202(post("/api/runs/" + runId + "/faults", "{\"type\": \"" + type + "\"}"), type + " into " + runId);
    }

    void cancel(String runId) {
        expect202(post("/api/runs/" + runId + "/cancel", "{\"reason\": \"e2e test over\"}"), "cancel " + runId);
    }

    HttpResponse<String> post(String path, String json) {
        try {
            return fleet.post(trainer, path, json);
        } catch (IOException e) {
            throw new IllegalStateException("POST " + path + " to " + trainer + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expect202(HttpResponse<String> r, String what) {
        if (r.statusCode() != 202) {
            throw new AssertionError(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }
}
