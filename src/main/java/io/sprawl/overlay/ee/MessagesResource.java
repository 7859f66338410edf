package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** The message count: {@code GET} this node's and the cluster's, {@code POST {"count": n}} to add. */
@Path("api/messages")
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {

    /** One add is at most this many: a larger number is a client bug, not traffic. */
    static final long MAX_ADD = 1_000_000_000L;

    @Inject
    OverlayNode node;

    public record Counts(String node, long count, long clusterTotal, Map<String, Long> byNode) {
    }

    public record Add(Long count) {
    }

    @GET
    public Counts counts() {
        GossipManager g = node.require();
        Map<String, Long> byNode = g.messages().byNode();
        return new Counts(g.selfId(), g.messages().local(), byNode.values().stream().mapToLong(Long::longValue).sum(),
                byNode);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Counts add(Add body) {
        if (body == null || body.count() == null || body.count() < 1 || body.count() > MAX_ADD) {
            throw ApiException.badRequest("bad-count", "expected {\"count\": n} with n a whole number from 1 to "
                    + MAX_ADD + ", got " + (body == null ? "no body" : "count " + body.count()));
        }
        node.require().addMessageCount(body.count());
        return counts();
    }
}
