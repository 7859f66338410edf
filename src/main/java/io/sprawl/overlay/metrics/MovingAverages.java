package io.sprawl.overlay.metrics;

/**
 * A count and its rates: per second over the last tick, and the 1-, 5- and 15-minute exponentially
 * weighted moving averages (as Unix load averages and Dropwizard's Meter compute them: a tick every
 * 5 s, each average decayed by exp(-5 s / window)). Time comes from the caller, so a simulated
 * clock drives it in tests.
 *
 * <p>Threads: {@link #mark} from any thread (the count is atomic); {@link #tick} and the reads from
 * the one sampling thread, which owns the averages.
 */
public final class MovingAverages {

    /** The averages' tick. */
    public static final long TICK_MILLIS = 5_000;

    private static final double M1 = alpha(1);
    private static final double M5 = alpha(5);
    private static final double M15 = alpha(15);

    private final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
    private long countAtTick;
    private long lastTickAt;
    private boolean started;
    private double perSecond;
    private double m1;
    private double m5;
    private double m15;

    private static double alpha(int minutes) {
        return 1 - Math.exp(-TICK_MILLIS / 60_000.0 / minutes);
    }

    /** Adds {@code n} events. */
    public void mark(long n) {
        count.add(n);
    }

    /** Every event since start. */
    public long count() {
        return count.sum();
    }

    /**
     * Brings the averages up to {@code now} (epoch ms): one decay step per whole tick that passed, so a
     * late call catches up; the rate per second is over the time since the previous tick.
     */
    public void tick(long now) {
        if (!started) {
            started = true;
            lastTickAt = now;
            countAtTick = count();
            return;
        }
        long elapsed = now - lastTickAt;
        if (elapsed < TICK_MILLIS) {
            return;
        }
        long total = count();
        long events = total - countAtTick;
        long ticks = elapsed / TICK_MILLIS;
        double rate = events * 1000.0 / elapsed; // events per second over the interval
        perSecond = rate;
        for (long i = 0; i < ticks; i++) {
            m1 += M1 * (rate - m1);
            m5 += M5 * (rate - m5);
            m15 += M15 * (rate - m15);
        }
        countAtTick = total;
        lastTickAt = now;
    }

    /** Events per second over the last tick. */
    public double perSecond() {
        return perSecond;
    }

    public double oneMinuteRate() {
        return m1;
    }

    public double fiveMinuteRate() {
        return m5;
    }

    public double fifteenMinuteRate() {
        return m15;
    }
}
