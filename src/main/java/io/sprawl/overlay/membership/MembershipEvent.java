package io.sprawl.overlay.membership;

/**
 * One entry of a node's event history: a member's transition ({@code type} "member"), or a change
 * of the leader this node shows ({@code type} "leader": {@code node} is the new leader, null for
 * none, {@code previousLeader} the one before, {@code term} the record's term; {@code from} and
 * {@code to} are null), or an operator's action ({@code type} "operator": {@code node} is the operator,
 * {@code reason} what was done).
 *
 * @param seq  this node's sequence number, increasing by one per event
 * @param time when this node made the transition (epoch ms)
 * @param from null when this node had no entry for the member
 */
public record MembershipEvent(long seq, long time, String node, MemberState from, MemberState to, String reason,
                              long incarnation, String type, Long term, String previousLeader) {

    public static final String MEMBER = "member";
    public static final String LEADER = "leader";
    public static final String OPERATOR = "operator";

    /** A member's transition. */
    public MembershipEvent(long seq, long time, String node, MemberState from, MemberState to, String reason,
                           long incarnation) {
        this(seq, time, node, from, to, reason, incarnation, MEMBER, null, null);
    }

    /** Not a bean getter, so JSON-B leaves it out of the event's JSON. */
    public boolean concernsLeader() {
        return LEADER.equals(type);
    }

    /** A member's transition (not a leader change, not an operator's action); not a bean getter either. */
    public boolean concernsMember() {
        return MEMBER.equals(type);
    }
}
