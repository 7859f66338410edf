package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.membership.Member;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The member table: {@code GET /overlay/api/members}, one member, and this node's metadata. */
@Path("api/members")
@Produces(MediaType.APPLICATION_JSON)
public class MembersResource {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int MAX_ENTRIES = 64;
    /** Metadata rides in the member record to every member: a value is a label or an address, not a document. */
    static final int MAX_VALUE_CHARS = 1024;

    @Inject
    OverlayNode node;

    @GET
    public List<Member> members() {
        return node.require().membership().snapshot().members();
    }

    /**
     * One member, and what this node's failure detector knows of it: {@code lastAckAt} (epoch ms, 0 if
     * none), {@code rttEwmaMillis} and {@code rttP99Millis} (-1 until measured), {@code phi}, the
     * confirmations of a running suspicion, {@code pauseAllowanceMillis} (what its suspicion gets on top for
     * the pauses it reported) and {@code probeProtocol} (the probe wire version it speaks to this node). This
     * node itself has none of these: they are null.
     */
    @GET
    @Path("{id}")
    public JsonObject member(@PathParam("id") String id) {
        GossipManager g = node.require();
        Member m = g.membership().member(id).orElseThrow(() -> unknown(g, id));
        JsonObject base = JsonConfig.JSONB.fromJson(JsonConfig.JSONB.toJson(m), JsonObject.class);
        JsonObjectBuilder b = Json.createObjectBuilder(base);
        FailureDetector.PeerInfo p = g.detector().flatMap(d -> d.peer(id)).orElse(null);
        if (p == null) {
            b.addNull("lastAckAt").addNull("rttEwmaMillis").addNull("rttP99Millis").addNull("phi")
                    .addNull("suspicionConfirmations").addNull("pauseAllowanceMillis").addNull("probeProtocol");
        } else {
            b.add("lastAckAt", p.lastAckAt()).add("rttEwmaMillis", round(p.rttEwmaMillis()))
                    .add("rttP99Millis", round(p.rttP99Millis())).add("phi", round(p.phi()))
                    .add("suspicionConfirmations", p.confirmations())
                    .add("pauseAllowanceMillis", p.pauseAllowanceMillis()).add("probeProtocol", p.protocol());
        }
        return b.build();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Replaces this node's metadata (a JSON object of strings) and broadcasts it; only the node itself may. */
    @PUT
    @Path("{id}/metadata")
    @Consumes(MediaType.APPLICATION_JSON)
    public Member updateMetadata(@PathParam("id") String id, Map<String, Object> body) {
        GossipManager g = node.require();
        if (!g.selfId().equals(id)) {
            throw g.membership().member(id).isPresent()
                    ? new ApiException(409, "not-self", "only " + id + " may change its metadata; this node is "
                            + g.selfId() + " (send the request to the member itself)")
                    : unknown(g, id);
        }
        g.updateMetadata(validMetadata(body));
        return g.membership().member(id).orElseThrow();
    }

    static Map<String, String> validMetadata(Map<String, Object> body) {
        if (body == null) {
            throw ApiException.badRequest("bad-metadata", "expected a JSON object of string values, got no body");
        }
        if (body.size() > MAX_ENTRIES) {
            throw ApiException.badRequest("bad-metadata", "at most " + MAX_ENTRIES + " metadata entries, got "
                    + body.size());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : body.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                throw ApiException.badRequest("bad-metadata", "metadata key '" + ApiException.shown(e.getKey()) + "' is not allowed:"
                        + " 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (!(e.getValue() instanceof String v)) {
                throw ApiException.badRequest("bad-metadata", "metadata value of '" + e.getKey()
                        + "' must be a string, got " + (e.getValue() == null ? "null" : e.getValue()));
            }
            if (v.length() > MAX_VALUE_CHARS) {
                throw ApiException.badRequest("bad-metadata", "metadata value of '" + e.getKey() + "' is "
                        + v.length() + " characters; at most " + MAX_VALUE_CHARS + " are allowed");
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    static ApiException unknown(GossipManager g, String id) {
        String known = g.membership().snapshot().members().stream().map(Member::id).collect(Collectors.joining(", "));
        return new ApiException(404, "unknown-member", "no member '" + ApiException.shown(id) + "' in the table of "
                + g.selfId()
                + "; members: " + known);
    }
}
