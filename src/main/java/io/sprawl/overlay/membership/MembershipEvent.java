package io.sprawl.overlay.membership;

/**
 * One entry of a node's event history: a member's transition ({@code type} "member"), or a change
 * of the leader this node shows ({@code type} "leader": {@code node} is the new leader, null for
 * none, {@code previousLeader} the one before, {@code term} the record's term; {@code from} and
 * {@code to} are null).
 *
 * @param seq  this node's sequence number, increasing by one per event
 * @param time when this node made the transition (epoch ms)
 * @param from null when this node had no entry for the member
 */
public record MembershipEvent(long seq, long time, String node, MemberState from, MemberState to, String reason,
                              long incarnation, String type, Long term, String previousLeader) {

    public static final String MEMBER = "member";
    public static final String LEADER = "leader";

    /** A member's transition. */
    public MembershipEvent(long seq, long time, String node, MemberState from, MemberState to, String reason,
                           long incarnation) {
        this(seq, time, node, from, to, reason, incarnation, MEMBER, null, null);
    }

    /** Not a bean getter, so JSON-B leaves it out of the event's JSON. */
    public boolean concernsLeader() {
        return LEADER.equals(type);
    }
}
