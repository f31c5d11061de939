package io.trainledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trainledger.infra.local.ApiToken;
import io.trainledger.infra.local.ServiceEndpoints;
import io.trainledger.infra.local.TrainLedgerService;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The services' REST APIs as the CLI uses them: the trainer's command API (mutating, bearer token from the data
 * directory's {@code api-token}) and the tor-aggregator's read-only queries. Errors become {@link ApiException}s
 * that carry the service's message and field errors.
 */
public final class ServiceClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceEndpoints endpoints;
    private final Supplier<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public ServiceClient(ServiceEndpoints endpoints, Supplier<String> token) {
        this.endpoints = endpoints;
        this.token = token;
    }

    /** The services of the stack running on a data directory (fails clearly when they are not running). */
    public static ServiceClient forDataDir(Path dataDir) {
        ServiceEndpoints endpoints = ServiceEndpoints.read(dataDir);
        return new ServiceClient(endpoints, () -> ApiToken.read(dataDir));
    }

    public ServiceEndpoints endpoints() {
        return endpoints;
    }

    /** A failed call: HTTP status, the service's message, and field errors for a 400 on a submission. */
    public static final class ApiException extends Exception {
        private final int status;
        private final List<FieldError> errors;

        ApiException(int status, String message, List<FieldError> errors) {
            super(message);
            this.status = status;
            this.errors = List.copyOf(errors);
        }

        public int status() {
            return status;
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** {@code POST /api/runs}: the run id the trainer accepted. */
    public String submit(ObjectNode submission) throws ApiException, IOException, InterruptedException {
        JsonNode r = send(TrainLedgerService.TRAINER, "POST", "/api/runs", submission, true);
        return r.path("runId").asText();
    }

    /** {@code POST /api/runs/{run}/cancel}. */
    public void cancel(String runId, String reason) throws ApiException, IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        if (reason != null) {
            body.put("reason", reason);
        }
        send(TrainLedgerService.TRAINER, "POST", "/api/runs/" + encode(runId) + "/cancel", body, true);
    }

    /** {@code POST /api/runs/{run}/faults}. */
    public void injectFault(String runId, ObjectNode fault) throws ApiException, IOException, InterruptedException {
        send(TrainLedgerService.TRAINER, "POST", "/api/runs/" + encode(runId) + "/faults", fault, true);
    }

    /** {@code GET /runs} of the aggregator. */
    public JsonNode runs() throws ApiException, IOException, InterruptedException {
        return send(TrainLedgerService.TOR_AGGREGATOR, "GET", "/runs", null, false);
    }

    /** {@code GET /runs/{run}} of the aggregator: the run's TorReport as JSON. */
    public JsonNode report(String runId) throws ApiException, IOException, InterruptedException {
        return send(TrainLedgerService.TOR_AGGREGATOR, "GET", "/runs/" + encode(runId), null, false);
    }

    private JsonNode send(TrainLedgerService service, String method, String path, JsonNode body, boolean auth)
            throws ApiException, IOException, InterruptedException {
        URI uri = endpoints.url(service, path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (auth) {
            b.header("Authorization", "Bearer " + token.get());
        }
        if (body != null) {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiException(0, service.id() + " is not reachable at " + endpoints.url(service)
                    + " (is 'trainledger up' running?)", List.of());
        }
        JsonNode json = parse(r.body());
        if (r.statusCode() / 100 == 2) {
            return json;
        }
        String message = json.path("message").asText(json.path("error").asText(""));
        if (message.isBlank()) {
            message = r.body() == null || r.body().isBlank() ? "(no message)" : r.body().strip();
        }
        List<FieldError> errors = new ArrayList<>();
        for (JsonNode e : json.path("errors")) {
            errors.add(new FieldError(e.path("field").asText("?"), e.path("reason").asText("?")));
        }
        throw new ApiException(r.statusCode(), method + " " + uri.getPath() + ": HTTP " + r.statusCode() + ": " + message,
                errors);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
