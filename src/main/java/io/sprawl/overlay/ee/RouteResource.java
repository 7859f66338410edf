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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The owners of a topic or key: {@code GET /overlay/api/route/{key}?replicas=n}. */
@Path("api/route/{key}")
@Produces(MediaType.APPLICATION_JSON)
public class RouteResource {

    static final int MAX_REPLICAS = 64;
    /** A topic or key is a name, not a payload: longer keys are refused rather than hashed and echoed back. */
    static final int MAX_KEY_BYTES = 1024;

    @Inject
    OverlayNode node;

    /** @param loads the owners' forecast loads (0-1) that ordered them; absent for an owner that shares none */
    public record Route(String key, int replicas, List<Member> owners, Map<String, Double> loads) {
    }

    @GET
    public Route route(@PathParam("key") String key, @QueryParam("replicas") String replicas) {
        checkKey(key);
        Router router = node.router();
        int n = replicas == null || replicas.isEmpty() ? router.defaultReplicas() : parseReplicas(replicas);
        List<Member> owners = router.route(key, n);
        Map<String, Double> all = router.loads();
        Map<String, Double> loads = new LinkedHashMap<>();
        owners.forEach(m -> {
            if (all.containsKey(m.id())) {
                loads.put(m.id(), all.get(m.id()));
            }
        });
        return new Route(key, n, owners, loads);
    }

    static void checkKey(String key) {
        int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw ApiException.badRequest("key-too-long", "the key is " + bytes + " bytes (UTF-8); at most "
                    + MAX_KEY_BYTES + " are allowed");
        }
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
        throw ApiException.badRequest("bad-replicas", "replicas=" + ApiException.shown(raw) + " is not allowed: a whole number from 1 to "
                + MAX_REPLICAS);
    }
}
