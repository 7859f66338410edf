package io.sprawl.overlay.failure;

import java.util.Arrays;

/**
 * What one peer's acks tell: round-trip time (EWMA and p99 over the last samples) and the
 * phi-accrual level from the intervals between its acks.
 *
 * <p>Not thread-safe: owned by the {@link FailureDetector}, under its monitor.
 */
final class PeerStats {

    /** Samples kept for the p99 and the interval statistics: a minute of probes at 9 members. */
    static final int WINDOW = 64;
    /** EWMA weight of a new round trip (TCP's RTO uses 1/8). */
    static final double ALPHA = 0.125;

    private final double[] rtts = new double[WINDOW];
    private int rttCount;
    private double ewma = -1;

    private final double[] intervals = new double[WINDOW];
    private int intervalCount;
    private long lastAckAt;

    void ack(long now, double rttMillis) {
        if (rttMillis >= 0) {
            rtts[rttCount++ % WINDOW] = rttMillis;
            ewma = ewma < 0 ? rttMillis : ewma + ALPHA * (rttMillis - ewma);
        }
        if (lastAckAt > 0) {
            intervals[intervalCount++ % WINDOW] = now - lastAckAt;
        }
        lastAckAt = now;
    }

    /** Epoch ms of the last ack, 0 if none yet. */
    long lastAckAt() {
        return lastAckAt;
    }

    double ewmaMillis() {
        return ewma;
    }

    /** The 99th percentile of recent round trips, or -1 when none is known. */
    double p99Millis() {
        int n = Math.min(rttCount, WINDOW);
        if (n == 0) {
            return -1;
        }
        double[] sorted = Arrays.copyOf(rtts, n);
        Arrays.sort(sorted);
        return sorted[Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1)];
    }

    /** Phi now; 0 until two acks have given an interval. */
    double phi(long now) {
        int n = Math.min(intervalCount, WINDOW);
        if (n == 0) {
            return 0;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += intervals[i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            var += (intervals[i] - mean) * (intervals[i] - mean);
        }
        return DetectorMath.phi(now - lastAckAt, mean, Math.sqrt(var / n));
    }
}
