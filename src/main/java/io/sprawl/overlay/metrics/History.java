package io.sprawl.overlay.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * One metric's history in bounded memory, in two tiers: every sample at 1 s for the last 10 minutes
 * (600 points), and per minute (mean, min, max of that minute's samples) for the last 24 hours
 * (1,440 points). About 75 KB per metric whatever the run time: the arrays are allocated once and
 * overwritten in a ring.
 *
 * <p>Threads: written by the one sampling thread, read by any; the monitor guards both.
 */
public final class History {

    public static final long FINE_STEP_MILLIS = 1_000;
    public static final int FINE_POINTS = 600;
    public static final long COARSE_STEP_MILLIS = 60_000;
    public static final int COARSE_POINTS = 1_440;

    /** One point: when (epoch ms, the start of its step), the mean, and the extremes in the step. */
    public record Point(long time, double value, double min, double max) {
    }

    private final Tier fine = new Tier(FINE_POINTS, FINE_STEP_MILLIS);
    private final Tier coarse = new Tier(COARSE_POINTS, COARSE_STEP_MILLIS);

    /** Adds a sample taken at {@code time} (epoch ms); samples come in time order. */
    public synchronized void add(long time, double value) {
        fine.add(time, value, value, value);
        coarse.add(time, value, value, value);
    }

    /**
     * The points between {@code from} and {@code to} (epoch ms, inclusive), oldest first, from the
     * finest tier that still reaches back to {@code from} (the fine one while it has dropped nothing).
     */
    public synchronized List<Point> between(long from, long to) {
        return tierFor(from).between(from, to);
    }

    /** The step (ms) of the points {@link #between} returns for {@code from}. */
    public synchronized long stepFor(long from) {
        return tierFor(from).step;
    }

    /** The fine tier while it reaches back to {@code from}, or has dropped nothing yet (a young node). */
    private Tier tierFor(long from) {
        return fine.oldest() <= from || !fine.full() ? fine : coarse;
    }

    /** The latest sample, or null before the first. */
    public synchronized Point latest() {
        return fine.size == 0 ? null : fine.point(fine.size - 1);
    }

    /** A ring of steps; a sample in the current step folds into it (mean, min, max). */
    private static final class Tier {
        private final long step;
        private final long[] time;
        private final double[] sum;
        private final double[] min;
        private final double[] max;
        private final int[] samples;
        private int start;
        private int size;

        Tier(int capacity, long step) {
            this.step = step;
            this.time = new long[capacity];
            this.sum = new double[capacity];
            this.min = new double[capacity];
            this.max = new double[capacity];
            this.samples = new int[capacity];
        }

        void add(long t, double value, double lo, double hi) {
            long slot = Math.floorDiv(t, step) * step;
            if (size > 0 && time[index(size - 1)] == slot) {
                int i = index(size - 1);
                sum[i] += value;
                samples[i]++;
                min[i] = Math.min(min[i], lo);
                max[i] = Math.max(max[i], hi);
                return;
            }
            int i;
            if (size < time.length) {
                i = index(size++);
            } else {
                i = start;
                start = (start + 1) % time.length;
            }
            time[i] = slot;
            sum[i] = value;
            samples[i] = 1;
            min[i] = lo;
            max[i] = hi;
        }

        boolean full() {
            return size == time.length;
        }

        long oldest() {
            return size == 0 ? Long.MAX_VALUE : time[start];
        }

        Point point(int k) {
            int i = index(k);
            return new Point(time[i], sum[i] / samples[i], min[i], max[i]);
        }

        List<Point> between(long from, long to) {
            List<Point> out = new ArrayList<>();
            for (int k = 0; k < size; k++) {
                long t = time[index(k)];
                if (t + step > from && t <= to) {
                    out.add(point(k));
                }
            }
            return out;
        }

        private int index(int k) {
            return (start + k) % time.length;
        }
    }
}
