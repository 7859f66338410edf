package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.metrics.CustomMetrics;
import io.sprawl.overlay.metrics.History;
import io.sprawl.overlay.metrics.MetricsManager;
import io.sprawl.overlay.metrics.MetricsSnapshot;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics of every node: {@code GET /overlay/api/metrics} each node's latest shared snapshot and its
 * age, {@code /history} one figure's history, {@code /custom} the custom metrics of this node.
 */
@Path("api/metrics")
@Produces(MediaType.APPLICATION_JSON)
public class MetricsResource {

    /** The default window of a history request: the fine tier, 10 minutes at 1 s. */
    static final long DEFAULT_WINDOW_MILLIS = History.FINE_POINTS * History.FINE_STEP_MILLIS;

    @Inject
    OverlayNode node;

    /** One node's snapshot: when it was sampled, how old it is here, the member's state, and the figures. */
    public record NodeMetrics(long time, long ageMillis, String state, Map<String, Double> figures) {
    }

    public record AllNodes(String self, long time, Map<String, NodeMetrics> nodes) {
    }

    @GET
    public AllNodes all() {
        GossipManager g = node.require();
        long now = System.currentTimeMillis();
        Map<String, NodeMetrics> nodes = new LinkedHashMap<>();
        for (Map.Entry<String, MetricsSnapshot> e : g.sharedMetrics().byNode().entrySet()) {
            MetricsSnapshot s = e.getValue();
            String state = g.membership().nodeState(e.getKey()).map(Enum::name).orElse(null);
            nodes.put(e.getKey(), new NodeMetrics(s.time(), now - s.time(), state, new TreeMap<>(s.figures())));
        }
        return new AllNodes(g.selfId(), now, nodes);
    }

    public record HistoryPage(String node, String metric, long from, long to, long stepMillis,
                              List<History.Point> points) {
    }

    /**
     * One figure's history on one node, between {@code from} and {@code to} (epoch ms; default the last
     * 10 minutes), from the finest tier that reaches back to {@code from}. Each node keeps its own
     * history: a request for another node is redirected (307) to that node.
     */
    @GET
    @Path("history")
    public Response history(@QueryParam("node") String nodeId, @QueryParam("metric") String metric,
                            @QueryParam("from") String fromParam, @QueryParam("to") String toParam,
                            @Context UriInfo uri) {
        GossipManager g = node.require();
        MetricsManager m = g.metrics();
        if (metric == null || metric.isBlank()) {
            throw ApiException.badRequest("bad-metric", "metric is required; this node has " + m.names());
        }
        long now = System.currentTimeMillis();
        long to = toParam == null || toParam.isBlank() ? now : epochMillis("to", toParam);
        long from = fromParam == null || fromParam.isBlank() ? to - DEFAULT_WINDOW_MILLIS : epochMillis("from", fromParam);
        if (from > to) {
            throw ApiException.badRequest("bad-range", "from (" + from + ") is after to (" + to + ")");
        }
        if (nodeId != null && !nodeId.isBlank() && !nodeId.equals(g.selfId())) {
            Member other = g.membership().member(nodeId).orElseThrow(() -> MembersResource.unknown(g, nodeId));
            if (!other.state().live()) {
                throw new ApiException(404, "no-history", nodeId + " is " + other.state()
                        + ": its history is kept by the node itself, and went with it");
            }
            UriBuilder target = uri.getRequestUriBuilder().scheme("http").host(other.address()).port(other.httpPort());
            return Response.temporaryRedirect(target.build()).build();
        }
        History h = m.history(metric);
        if (h == null) {
            throw new ApiException(404, "unknown-metric", "no metric '" + metric + "' on " + g.selfId()
                    + "; it has " + m.names());
        }
        return Response.ok(new HistoryPage(g.selfId(), metric, from, to, h.stepFor(from), h.between(from, to))).build();
    }

    private static long epochMillis(String name, String raw) {
        try {
            long v = Long.parseLong(raw.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("bad-" + name, name + "=" + ApiException.shown(raw) + " is not allowed: epoch milliseconds, a whole"
                + " number of at least 0");
    }

    // ---- custom metrics ------------------------------------------------------------------------

    /** This node's custom metrics: {@code {name: {"name", "type", "value"}}}. */
    @GET
    @Path("custom")
    public Map<String, CustomMetrics.Value> custom() {
        return node.require().metrics().custom().all();
    }

    /**
     * Adds to a counter ({@code {"type": "counter", "add": n}}) or sets a gauge ({@code {"type": "gauge",
     * "value": v}}), registering the metric on first use.
     */
    @POST
    @Path("custom/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    public CustomMetrics.Value update(@PathParam("name") String name, Map<String, Object> body) {
        CustomMetrics custom = node.require().metrics().custom();
        if (body == null) {
            throw ApiException.badRequest("bad-body", "expected {\"type\": \"counter\", \"add\": n} or"
                    + " {\"type\": \"gauge\", \"value\": v}, got no body");
        }
        Object type = body.get("type");
        try {
            if ("counter".equals(type)) {
                custom.add(name, number(body, "add"));
            } else if ("gauge".equals(type)) {
                custom.set(name, number(body, "value"));
            } else {
                throw ApiException.badRequest("bad-type", "type is \"counter\" or \"gauge\", got " + type);
            }
        } catch (CustomMetrics.Refused e) {
            throw new ApiException(e.code().startsWith("bad") ? 400 : 409, e.code(), e.getMessage());
        }
        return custom.get(name);
    }

    /** Sets a custom metric back to 0 and drops its history. */
    @POST
    @Path("custom/{name}/reset")
    public CustomMetrics.Value reset(@PathParam("name") String name) {
        MetricsManager m = node.require().metrics();
        if (!m.resetCustom(name)) {
            throw new ApiException(404, "unknown-metric", "no custom metric '" + name + "' on this node; it has "
                    + m.custom().all().keySet());
        }
        return m.custom().get(name);
    }

    private static double number(Map<String, Object> body, String key) {
        Object v = body.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw ApiException.badRequest("bad-value", key + " must be a number, got " + (v == null ? "none" : v));
    }
}
