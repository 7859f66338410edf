package io.sprawl.overlay.failure;

/**
 * What the failure detector concludes, for the member table (and, for {@link #refuted}, for the
 * node's own record). Called under the detector's monitor: implementations must not call back into it.
 */
public interface DetectorEvents {

    void suspect(String node, long incarnation, String reason);

    /** A suspected or failed incarnation was refuted by a newer one. */
    void alive(String node, long incarnation, String reason);

    void failed(String node, long incarnation, String reason);

    /** This node refuted a suspicion of itself: its incarnation is now {@code incarnation}. */
    void refuted(long incarnation);
}
