package io.sprawl.overlay.membership;

/**
 * A member's state in this node's table. {@code FAILED} (crashed, hung, cut off) and {@code LEFT}
 * (said goodbye) are terminal for that incarnation: a node that comes back is a new incarnation and
 * starts {@code HEALTHY} again.
 */
public enum MemberState {
    HEALTHY,
    SUSPECT,
    FAILED,
    LEFT;

    public boolean live() {
        return this == HEALTHY || this == SUSPECT;
    }
}
