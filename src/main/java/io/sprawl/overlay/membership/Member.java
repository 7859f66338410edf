package io.sprawl.overlay.membership;

import java.util.Map;

/**
 * One row of the member table as this node sees it: the member's own record plus the state this
 * node gives it. Immutable; the JSON shape of {@code /overlay/api/members}.
 *
 * @param stateSince when the member entered its state (epoch ms; for FAILED and LEFT the
 *                   coordinator's mark when there is one, so every node shows the same time)
 * @param seenAt     when this node last applied the member's record (epoch ms)
 * @param protocol   the protocol versions the member speaks, "1-2" (its record's range)
 */
public record Member(
        String id,
        MemberState state,
        long incarnation,
        String address,
        int gossipPort,
        int httpPort,
        String site,
        String rack,
        Map<String, String> capabilities,
        Map<String, String> metadata,
        String version,
        long startTime,
        long revision,
        long updatedAt,
        long stateSince,
        long seenAt,
        String transportId,
        String protocol) {

    static Member of(MemberRecord r, MemberState state, long incarnation, long stateSince, long seenAt) {
        return new Member(r.id(), state, incarnation, r.address(), r.gossipPort(), r.httpPort(), r.site(),
                r.rack(), r.capabilities(), r.metadata(), r.version(), r.startTime(), r.revision(), r.updatedAt(),
                stateSince, seenAt, r.transportId(), r.protocol());
    }
}
