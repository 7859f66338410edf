package io.sprawl.overlay.ee;

import io.sprawl.overlay.election.Leadership;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leader as this node shows it ({@code GET /overlay/api/leader}: {@code leader}, {@code term},
 * {@code since}, {@code reason}, and whether this side has the majority and this node leads), and
 * the admin operation {@code POST /overlay/api/leader/step-down}, sent to the leader.
 */
@Path("api/leader")
@Produces(MediaType.APPLICATION_JSON)
public class LeaderResource {

    @Inject
    OverlayNode node;

    @GET
    public Leadership.View leader() {
        return leadership().view();
    }

    /** 200 with the new view; 409 when this node does not lead or no other member can. */
    @POST
    @Path("step-down")
    public Leadership.View stepDown() {
        Leadership l = leadership();
        long waitMillis = 2L * node.require().config().leader().leaseMillis();
        try {
            return l.stepDown().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Leadership.Refused r) {
                throw new ApiException(409, r.code(), r.getMessage());
            }
            throw new ApiException(503, "step-down-failed", "the hand-over could not be written: " + e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "step-down-timeout", "the hand-over was not written within " + waitMillis
                    + " ms; see GET /overlay/api/leader for the outcome");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "interrupted while stepping down");
        }
    }

    private Leadership leadership() {
        return node.require().leadership().orElseThrow(() -> new ApiException(503, "not-started",
                "the election is not running"));
    }
}
