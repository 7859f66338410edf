package io.sprawl.overlay.membership;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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

    /** The ids of the live members (HEALTHY or SUSPECT). */
    public Set<String> liveIds() {
        return members.stream().filter(m -> m.state().live()).map(Member::id).collect(Collectors.toSet());
    }

    public List<Member> inState(MemberState state) {
        return members.stream().filter(m -> m.state() == state).toList();
    }

    public int count(MemberState state) {
        return (int) members.stream().filter(m -> m.state() == state).count();
    }

    /** Members by state, every state present (0 for none). */
    public Map<MemberState, Integer> countByState() {
        Map<MemberState, Integer> counts = new EnumMap<>(MemberState.class);
        for (MemberState s : MemberState.values()) {
            counts.put(s, 0);
        }
        for (Member m : members) {
            counts.merge(m.state(), 1, Integer::sum);
        }
        return counts;
    }
}
