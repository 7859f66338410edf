package io.sprawl.overlay.failure;

/**
 * What the failure detector does, event by event, for metrics (Prometheus counters and the round
 * trip histogram). Called under the detector's monitor: implementations only count, never block.
 */
public interface DetectorObserver {

    DetectorObserver NONE = new DetectorObserver() {
    };

    /** A direct probe (ping) went out. */
    default void probeSent() {
    }

    /** {@code n} members were asked to probe a peer that missed its direct ack. */
    default void indirectProbesSent(int n) {
    }

    /** A direct ack came back after {@code millis}. */
    default void roundTrip(long millis) {
    }

    /** This node started suspecting a peer (its own finding or a rumor). */
    default void suspected() {
    }

    /** This node refuted a suspicion of itself. */
    default void refuted() {
    }

    /**
     * This node declared a peer FAILED, {@code detectionMillis} after the last ack it had from it (-1
     * when it never had one): how long the failure went unseen, at most.
     */
    default void failed(long detectionMillis) {
    }
}
