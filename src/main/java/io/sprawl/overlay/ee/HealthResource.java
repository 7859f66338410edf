package io.sprawl.overlay.ee;

import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.OverlayVersion;
import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.config.ApiConfig;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipSnapshot;
import io.sprawl.overlay.metrics.MetricsManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The original system's health handler: {@code /overlay/health}, {@code /check}, {@code /membership} and {@code /metrics}. */
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    @Inject
    OverlayNode node;

    @Inject
    NodeHealth health;

    /** Overall node health: UP when started, ready and live, with each check's data and cause. */
    @GET
    public Response overall() {
        NodeHealth.Verdict started = health.started();
        NodeHealth.Verdict ready = health.ready();
        NodeHealth.Verdict live = health.live();
        boolean up = started.up() && ready.up() && live.up();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("node", node.gossip().map(GossipManager::selfId).orElse(null));
        body.put("version", OverlayVersion.VALUE);
        body.put("uptimeMillis", node.gossip().isPresent() ? System.currentTimeMillis() - node.startedAt() : 0);
        node.gossip().ifPresent(g -> {
            body.put("state", g.membership().nodeState(g.selfId()).orElse(null));
            body.put("viewId", g.membership().snapshot().viewId());
            body.put("members", g.membership().snapshot().countByState());
            body.put("security", security(g, node.api().orElseThrow()));
        });
        body.put("checks", Map.of("started", check(started), "ready", check(ready), "live", check(live)));
        return Response.status(up ? 200 : 503).entity(body).build();
    }

    /** For load balancers: 200 when the node is ready and live, 503 otherwise; a tiny body either way. */
    @GET
    @Path("check")
    public Response check() {
        boolean up = health.ready().up() && health.live().up();
        return Response.status(up ? 200 : 503).entity(Map.of("status", up ? "UP" : "DOWN")).build();
    }

    /**
     * @param leader      the leader this node shows, null for none (a minority side has none)
     * @param leaderTerm  the term of the leader record as this node knows it
     * @param majority    whether this node's side holds the majority of the last agreed membership
     * @param failedNodes members this node shows FAILED
     * @param detector    this node's failure-detector counters and local health (null when it is not running)
     * @param wire        bytes and messages its transport sent and received since start
     * @param protocol    the protocol range this node speaks, and the joins it refused for a range that meets none
     */
    public record MembershipView(String self, long viewId, String leader, long leaderTerm, boolean majority,
                                 Map<MemberState, Integer> counts,
                                 List<String> failedNodes, FailureDetector.Stats detector, Map<String, Long> wire,
                                 ClusterTransport.ProtocolStatus protocol, List<Member> members) {
    }

    /** This node's view of the membership and of the leader. */
    @GET
    @Path("membership")
    public MembershipView membership() {
        GossipManager g = node.require();
        MembershipSnapshot s = g.membership().snapshot();
        Leadership.View leader = g.leadership().map(Leadership::view).orElse(null);
        return new MembershipView(g.selfId(), s.viewId(), leader == null ? null : leader.leader(),
                leader == null ? 0 : leader.term(), leader != null && leader.majority(), s.countByState(),
                s.inState(MemberState.FAILED).stream().map(Member::id).toList(),
                g.detector().map(FailureDetector::stats).orElse(null), g.transport().wireStats(),
                g.transport().protocol(), s.members());
    }

    /**
     * @param time      when the figures were sampled (epoch ms; 0 before the first sample)
     * @param ageMillis how old they are
     * @param figures   every figure by name (machine, JVM, messages, load and its forecast, custom.*)
     */
    public record CurrentMetrics(String node, long time, long ageMillis, boolean sampling, Map<String, Double> figures) {
    }

    /** This node's current figures, as its last sample left them. */
    @GET
    @Path("metrics")
    public CurrentMetrics metrics() {
        GossipManager g = node.require();
        MetricsManager.Current c = g.metrics().current();
        return new CurrentMetrics(g.selfId(), c.time(), c.time() == 0 ? 0 : System.currentTimeMillis() - c.time(),
                g.config().metrics().enabled(), new TreeMap<>(c.figures()));
    }

    /**
     * How the cluster traffic is protected (TLS with this node's certificate and its counters, or a
     * warning) and who may call the API (never a password).
     */
    static Map<String, Object> security(GossipManager g, ApiConfig api) {
        Map<String, Object> out = new LinkedHashMap<>();
        g.tls().ifPresentOrElse(t -> {
            out.put("cluster", "tls");
            out.put("tls", t.status());
        }, () -> {
            out.put("cluster", "plaintext");
            out.put("warning", "cluster traffic is not encrypted or authenticated (sprawl.cluster.security=plaintext):"
                    + " anyone who reaches the cluster port can join and read every record");
        });
        out.put("api", Map.of("admin", api.adminUser(), "writes", "admin, over HTTPS",
                "reads", api.requireReader() ? "reader or admin, over HTTPS" : "open"));
        return out;
    }

    private static Map<String, Object> check(NodeHealth.Verdict v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", v.up() ? "UP" : "DOWN");
        out.putAll(v.data());
        return out;
    }
}
