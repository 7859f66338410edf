package io.sprawl.overlay.membership;

import java.util.List;
import java.util.Optional;

/**
 * The whole member table and the JGroups view id at one instant; members sorted by id.
 *
 * @param viewId  the transport view this table was built against
 * @param takenAt when the table last changed (epoch ms)
 */
public record MembershipSnapshot(long viewId, long takenAt, List<Member> members) {

    public Optional<Member> member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    public List<Member> live() {
        return members.stream().filter(m -> m.state().live()).toList();
    }

    public List<Member> inState(MemberState state) {
        return members.stream().filter(m -> m.state() == state).toList();
    }
}
