package io.sprawl.overlay.metrics;

/**
 * A short-term forecast of one series (the node's load) by Holt's linear trend method: a smoothed
 * level and a smoothed trend, and the forecast {@code h} steps ahead is {@code level + h * trend},
 * kept within [0, 1]. (A damped trend was tried: it followed a steady 1 %/s climb only a third of
 * the way, so a node getting busy would look idle for longer.) Each forecast is remembered until its time comes, and the gap to the value
 * that came is the forecast's error, reported as a moving mean absolute error.
 *
 * <p>Not thread-safe: owned by the sampling thread.
 */
final class LoadForecast {

    /** Level smoothing: a 1 s CPU reading is noisy, so one moves the level by 15 % (about the last 6 s count). */
    static final double ALPHA = 0.15;
    /** Trend smoothing: slower than the level, so a single spike is not taken for a trend. */
    static final double BETA = 0.05;
    /** The error is averaged over about the last 1 / 0.05 = 20 forecasts that came due. */
    static final double ERROR_WEIGHT = 0.05;

    private final int steps;
    /** Forecasts made, by the step they are for: a ring of {@code steps} slots. */
    private final double[] pending;
    private long step;
    private double level;
    private double trend;
    private double error = Double.NaN;

    /** @param steps how many samples ahead to forecast, at least 1 */
    LoadForecast(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, was " + steps);
        }
        this.steps = steps;
        this.pending = new double[steps];
    }

    /** The next sample of the series. */
    void add(double value) {
        if (step == 0) {
            level = value;
            trend = 0;
        } else {
            int slot = (int) (step % steps);
            if (step >= steps) {
                // The forecast made `steps` samples ago was for now.
                double miss = Math.abs(pending[slot] - value);
                error = Double.isNaN(error) ? miss : error + ERROR_WEIGHT * (miss - error);
            }
            double previousLevel = level;
            level = ALPHA * value + (1 - ALPHA) * (level + trend);
            trend = BETA * (level - previousLevel) + (1 - BETA) * trend;
        }
        pending[(int) (step % steps)] = forecast();
        step++;
    }

    /** The value expected {@code steps} samples ahead (0 before the first sample). */
    double forecast() {
        return Math.max(0, Math.min(1, level + steps * trend));
    }

    /** Mean absolute error of the forecasts that came due; NaN until the first did. */
    double error() {
        return error;
    }
}
