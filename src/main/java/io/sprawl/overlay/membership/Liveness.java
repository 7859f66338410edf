package io.sprawl.overlay.membership;

/**
 * Each member's liveness, kept once, in the member table ({@link MembershipManager}): the failure
 * detector reads it and moves it through here, the transport's views and the records move it too, so
 * there is one state per member and no two machines to reconcile (as memberlist keeps one node map).
 * Each move applies the table's rules and says whether it did.
 *
 * <p>Called by the detector under its monitor: implementations take their own lock briefly and never
 * call back into the detector.
 */
public interface Liveness {

    /**
     * A member's state and the incarnation it holds for it.
     *
     * @param protocol the newest probe protocol version the member's record says it speaks (1 for a record of
     *                 the first release): what the detector may send it
     */
    record State(MemberState state, long incarnation, int protocol) {
    }

    /** The member's state, or null when it is not in the table. */
    State of(String id);

    /** Suspects this incarnation of a healthy member (or a newer incarnation of a suspected one). */
    boolean suspect(String id, long incarnation, String reason);

    /** A newer incarnation refuted a suspicion or a failure verdict. */
    boolean alive(String id, long incarnation, String reason);

    /** The detector's verdict on this incarnation of a live member. */
    boolean failed(String id, long incarnation, String reason);
}
