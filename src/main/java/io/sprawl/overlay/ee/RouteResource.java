package io.sprawl.overlay.ee;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.routing.Router;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The owners of a topic or key: {@code GET /overlay/api/route/{key}?replicas=n}. */
@Path("api/route/{key}")
@Produces(MediaType.APPLICATION_JSON)
public class RouteResource {

    static final int MAX_REPLICAS = 64;

    @Inject
    OverlayNode node;

    public record Route(String key, int replicas, List<Member> owners) {
    }

    @GET
    public Route route(@PathParam("key") String key, @QueryParam("replicas") String replicas) {
        Router router = node.router();
        int n = replicas == null || replicas.isEmpty() ? router.defaultReplicas() : parseReplicas(replicas);
        return new Route(key, n, router.route(key, n));
    }

    static int parseReplicas(String raw) {
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= MAX_REPLICAS) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("bad-replicas", "replicas=" + raw + " is not allowed: a whole number from 1 to "
                + MAX_REPLICAS);
    }
}
