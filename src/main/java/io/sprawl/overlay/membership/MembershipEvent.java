package io.sprawl.overlay.membership;

/**
 * One transition in the member table: {@code from} is null when this node had no entry for the member.
 *
 * @param seq  this node's sequence number, increasing by one per event
 * @param time when this node made the transition (epoch ms)
 */
public record MembershipEvent(long seq, long time, String node, MemberState from, MemberState to, String reason,
                              long incarnation) {
}
