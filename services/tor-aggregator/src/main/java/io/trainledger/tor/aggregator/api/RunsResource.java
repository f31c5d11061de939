package io.trainledger.tor.aggregator.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.trainledger.tor.TorReport;
import io.trainledger.tor.aggregator.AggregatorConfig;
import io.trainledger.tor.aggregator.ReportHub;
import io.trainledger.tor.aggregator.topology.RunTimeline;
import io.trainledger.tor.core.TorLedger;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * REST over the aggregator's stores. A run is answered by the instance that owns it; any other instance answers
 * 307 with the owner's URL (and {@code owner} in the body). While the stores are not queryable: 503 with Retry-After.
 */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "runs", description = "TOR per run, from the aggregator's Kafka Streams stores")
public class RunsResource {
    private static final Logger LOG = Logger.getLogger(RunsResource.class);

    @Inject
    RunQueries queries;

    @Inject
    ReportHub hub;

    @Inject
    AggregatorConfig config;

    @Inject
    ObjectMapper mapper;

    @Context
    UriInfo uri;

    private final HttpClient http = HttpClient.newBuilder().build();

    @GET
    @Operation(summary = "List runs",
            description = "Runs folded by every instance (scope=all, default: this instance asks the others) or by "
                    + "this one only (scope=local). Each entry: runId, status, tor, asOfEventTime, eventsFolded, "
                    + "preservedSteps, failures. Instances that did not answer are listed in 'unreachable'.")
    @APIResponse(responseCode = "200", description = "The runs")
    @APIResponse(responseCode = "503", description = "This instance's stores are not queryable yet (Retry-After)")
    public Response list(@QueryParam("scope") @Parameter(description = "all (default) or local") String scope) {
        var local = queries.localLedgers();
        if (local.isEmpty()) {
            return unavailable("the aggregator's stores are not queryable yet");
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (TorLedger ledger : local.get()) {
            runs.add(summary(ledger.report()));
        }
        List<String> unreachable = new ArrayList<>();
        if (!"local".equals(scope)) {
            for (String instance : queries.otherInstances()) {
                try {
                    runs.addAll(remoteRuns(instance));
                } catch (Exception e) {
                    LOG.warnf("listing runs of %s failed: %s", instance, e.toString());
                    unreachable.add(instance);
                }
            }
        }
        runs.sort(Comparator.comparing(m -> String.valueOf(m.get("runId"))));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", queries.self());
        body.put("runs", runs);
        body.put("unreachable", unreachable);
        return Response.ok(body).build();
    }

    @GET
    @Path("/{runId}")
    @Operation(summary = "A run's TorReport",
            description = "The TorReport of the run's current fold (it can be ahead of trainledger.tor by the "
                    + "emission throttle), as JSON in the Avro field order. JSON has no infinity: non-finite "
                    + "doubles are null, notably model.mtbfSeconds when the run had no rollback failure (M is "
                    + "infinite). asOfEventTime is an ISO-8601 instant.")
    @APIResponse(responseCode = "200", description = "The report")
    @APIResponse(responseCode = "307", description = "Another instance owns the run: Location, and 'owner' in the body")
    @APIResponse(responseCode = "404", description = "No such run on the ledger")
    @APIResponse(responseCode = "503", description = "Stores not queryable yet (Retry-After)")
    public Response report(@PathParam("runId") String runId) {
        return respond(runId, queries.ledger(runId), ledger -> AvroJson.toMap(ledger.report()));
    }

    @GET
    @Path("/{runId}/timeline")
    @Operation(summary = "A run's timeline",
            description = "Milestones (attempts, checkpoints, faults, failures, recoveries, evaluations, the end) "
                    + "and the step curve (loss, step time). Bounded per run: the oldest milestones are dropped "
                    + "(eventsDropped), steps are downsampled to multiples of stepStride. A non-finite loss is "
                    + "null with lossFinite=false; steps carry the loss components (ceLoss, pplLoss, ipplLoss, kgLoss). 'tor' "
                    + "is the TOR curve: cumulative and windowed TOR of each emitted report (thinned when long).")
    @APIResponse(responseCode = "200", description = "The timeline")
    @APIResponse(responseCode = "307", description = "Another instance owns the run")
    @APIResponse(responseCode = "404", description = "No such run on the ledger")
    @APIResponse(responseCode = "503", description = "Stores not queryable yet (Retry-After)")
    public Response timeline(@PathParam("runId") String runId) {
        return respond(runId, queries.timeline(runId), tl -> timelineJson(runId, tl));
    }

    @GET
    @Path("/{runId}/reports")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "SSE stream of a run's reports",
            description = "Server-sent events: 'report' (a TorReport as JSON, as for GET /runs/{runId}): first the "
                    + "current one, then each report this instance emits to trainledger.tor. If another instance "
                    + "owns the run, one 'owner' event ({owner, url}) and the stream ends; if the stores are not "
                    + "queryable, one 'unavailable' event ({message, retryAfterSeconds}) and the stream ends.")
    public Multi<OutboundSseEvent> reports(@PathParam("runId") String runId, @Context Sse sse) {
        QueryResult<TorLedger> result = queries.ledger(runId);
        if (result instanceof QueryResult.Elsewhere<TorLedger> e) {
            return Multi.createFrom().item(event(sse, "owner",
                    Map.of("owner", e.address(), "url", ownerUrl(e).toString())));
        }
        if (result instanceof QueryResult.Unavailable<TorLedger> u) {
            return Multi.createFrom().item(event(sse, "unavailable",
                    Map.of("message", u.reason(), "retryAfterSeconds", config.query().retryAfterSeconds())));
        }
        Multi<TorReport> updates = hub.reports(runId);
        Multi<TorReport> all = result instanceof QueryResult.Found<TorLedger> f
                ? Multi.createBy().concatenating().streams(Multi.createFrom().item(f.value().report()), updates)
                : updates;
        return all.map(r -> event(sse, "report", AvroJson.toMap(r)));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private <T> Response respond(String runId, QueryResult<T> result, Function<T, Object> body) {
        return QueryResponses.of(runId, result, body, config.query().retryAfterSeconds(), this::ownerUrl);
    }

    private Response unavailable(String reason) {
        return QueryResponses.unavailable(reason, config.query().retryAfterSeconds());
    }

    private URI ownerUrl(QueryResult.Elsewhere<?> e) {
        return uri.getRequestUriBuilder().scheme("http").host(e.host()).port(e.port()).build();
    }

    private static OutboundSseEvent event(Sse sse, String name, Object data) {
        return sse.newEventBuilder().name(name).mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build();
    }

    private List<Map<String, Object>> remoteRuns(String instance) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + instance + "/runs?scope=local"))
                .timeout(config.query().remoteTimeout()).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode());
        }
        Map<String, Object> body = mapper.readValue(response.body(), new TypeReference<>() {
        });
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> runs = (List<Map<String, Object>>) body.get("runs");
        return runs;
    }

    static Map<String, Object> summary(TorReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", r.getRunId());
        m.put("status", r.getStatus().name());
        m.put("tor", Double.isFinite(r.getTor()) ? r.getTor() : null);
        m.put("asOfEventTime", r.getAsOfEventTime().toString());
        m.put("eventsFolded", r.getEventsFolded());
        m.put("preservedSteps", r.getPreservedSteps());
        m.put("failures", r.getFailures().stream().mapToLong(a -> a.getCount()).sum());
        return m;
    }

    static Map<String, Object> timelineJson(String runId, RunTimeline tl) {
        List<Map<String, Object>> events = new ArrayList<>();
        for (RunTimeline.Entry e : tl.events()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", e.kind());
            m.put("eventTime", instant(e.eventTimeMicros()));
            m.put("attempt", e.attempt());
            m.put("step", e.step());
            m.put("failureType", e.failureType());
            m.put("detail", e.detail());
            events.add(m);
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        for (RunTimeline.StepPoint s : tl.steps()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.step());
            m.put("attempt", s.attempt());
            m.put("eventTime", instant(s.eventTimeMicros()));
            m.put("loss", Double.isFinite(s.loss()) ? s.loss() : null);
            m.put("lossFinite", Double.isFinite(s.loss()));
            m.put("stepSeconds", s.stepNanos() / 1e9);
            m.put("accuracy", finite(s.accuracy()));
            m.put("ceLoss", finite(s.ceLoss()));
            m.put("pplLoss", finite(s.pplLoss()));
            m.put("ipplLoss", finite(s.ipplLoss()));
            m.put("kgLoss", finite(s.kgLoss()));
            steps.add(m);
        }
        List<Map<String, Object>> tor = new ArrayList<>();
        for (RunTimeline.TorPoint p : tl.tor()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eventTime", instant(p.eventTimeMicros()));
            m.put("tor", finite(p.tor()));
            m.put("windowTor", finite(p.windowTor()));
            m.put("windowSeconds", p.windowSeconds());
            tor.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runId", runId);
        body.put("events", events);
        body.put("eventsDropped", tl.eventsDropped());
        body.put("steps", steps);
        body.put("stepStride", tl.stepStride());
        body.put("tor", tor);
        return body;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static String instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
                .toString();
    }
}
