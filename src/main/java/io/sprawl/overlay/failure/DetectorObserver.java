package io.sprawl.overlay.failure;

/**
 * What the failure detector measures, event by event, for the histograms of the metrics (round trips,
 * detection times). Its counts are not here: {@link FailureDetector#stats} is the one place they are
 * kept. Called under the detector's monitor: implementations only record, never block.
 */
public interface DetectorObserver {

    DetectorObserver NONE = new DetectorObserver() {
    };

    /** A direct ack came back after {@code millis}. */
    default void roundTrip(long millis) {
    }

    /**
     * This node declared a peer FAILED, {@code detectionMillis} after the last ack it had from it (-1
     * when it never had one): how long the failure went unseen, at most.
     */
    default void failed(long detectionMillis) {
    }
}
