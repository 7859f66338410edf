package io.sprawl.overlay.ee;

import io.sprawl.overlay.election.Election;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.election.MajorityRecovery;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The leader as this node shows it ({@code GET /overlay/api/leader}: {@code leader}, {@code term},
 * {@code since}, {@code reason}, and whether this side has the majority and this node leads), and
 * the admin operations {@code POST /overlay/api/leader/step-down}, sent to the leader, and
 * {@code POST /overlay/api/leader/recover-majority}, sent to a survivor of a majority lost to crashes.
 */
@Path("api/leader")
@Produces(MediaType.APPLICATION_JSON)
public class LeaderResource {

    /** Members one recovery may confirm lost: far more than any cluster this overlay runs. */
    static final int MAX_LOST = 1_000;

    @Inject
    OverlayNode node;

    @Context
    HttpServletRequest http;

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

    /**
     * {@code {"lost": ["node2", "node3", "node4"]}}: the operator confirms these members are gone for good (crashed,
     * their machines lost), and this side, without a majority because of them, is made available and elects. 200
     * with what was done; 409 when the rules refuse (a majority is reachable, a named member is in the view, a
     * missing one is not named), 400 for a malformed body.
     */
    @POST
    @Path("recover-majority")
    @Consumes(MediaType.APPLICATION_JSON)
    public MajorityRecovery.Outcome recoverMajority(Map<String, Object> body) {
        Set<String> lost = lostMembers(body);
        Election election = node.require().election().orElseThrow(() -> new ApiException(503, "not-started",
                "the election is not running"));
        Object user = http.getAttribute(ApiAccess.USER);
        String operator = user == null ? "an operator" : user.toString();
        long waitMillis = 10_000;
        try {
            return election.recoverMajority(lost, operator + " (REST)").toCompletableFuture()
                    .get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MajorityRecovery.Refused r) {
                throw new ApiException(409, r.code(), r.getMessage());
            }
            throw new ApiException(503, "recovery-failed", "the leader cache could not be made available: "
                    + e.getCause());
        } catch (TimeoutException e) {
            throw new ApiException(503, "recovery-timeout", "no answer within " + waitMillis
                    + " ms; see GET /overlay/api/leader and the events for the outcome");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "interrupted while recovering");
        }
    }

    static Set<String> lostMembers(Map<String, Object> body) {
        if (body == null || !(body.get("lost") instanceof List<?> list) || list.isEmpty() || body.size() != 1) {
            throw ApiException.badRequest("bad-body", "expected {\"lost\": [\"id\", ...]}: the members confirmed gone");
        }
        if (list.size() > MAX_LOST) {
            throw ApiException.badRequest("bad-body", "at most " + MAX_LOST + " lost members, got " + list.size());
        }
        Set<String> out = new LinkedHashSet<>();
        for (Object o : list) {
            if (!(o instanceof String id) || id.isEmpty()) {
                throw ApiException.badRequest("bad-body", "each lost member is a node id (a string), got "
                        + ApiException.shown(String.valueOf(o)));
            }
            out.add(id);
        }
        return out;
    }

    private Leadership leadership() {
        return node.require().leadership().orElseThrow(() -> new ApiException(503, "not-started",
                "the election is not running"));
    }
}
