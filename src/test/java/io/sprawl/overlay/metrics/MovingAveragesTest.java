package io.sprawl.overlay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Rates and moving averages under a simulated clock. */
class MovingAveragesTest {

    private static final long START = 1_000_000;

    /** Ten events a second for {@code seconds}, ticking every 5 s; returns the time reached. */
    private static long steady(MovingAverages m, long from, int seconds, int perSecond) {
        long t = from;
        for (int s = 0; s < seconds; s++) {
            m.mark(perSecond);
            t += 1_000;
            m.tick(t);
        }
        return t;
    }

    @Test
    void aSteadyRateIsReachedByEachAverageAtItsOwnPace() {
        MovingAverages m = new MovingAverages();
        m.tick(START);
        long t = steady(m, START, 60, 10);
        assertEquals(10.0, m.perSecond(), 1e-9);
        assertEquals(600, m.count());
        // After one window each average holds 1 - 1/e of the step; one tick per 5 s (12 a minute).
        assertEquals(10 * (1 - Math.exp(-1)), m.oneMinuteRate(), 0.05);
        assertEquals(10 * (1 - Math.exp(-0.2)), m.fiveMinuteRate(), 0.05);
        assertEquals(10 * (1 - Math.exp(-1.0 / 15)), m.fifteenMinuteRate(), 0.05);
        t = steady(m, t, 15 * 60, 10);
        assertEquals(10.0, m.oneMinuteRate(), 0.01);
        assertEquals(10.0, m.fifteenMinuteRate(), 10 * Math.exp(-16.0 / 15) + 0.01);
    }

    @Test
    void whenEventsStopTheAveragesDecay() {
        MovingAverages m = new MovingAverages();
        m.tick(START);
        long t = steady(m, START, 15 * 60, 10);
        t = steady(m, t, 5 * 60, 0);
        assertEquals(0.0, m.perSecond(), 1e-9);
        assertEquals(10 * Math.exp(-5), m.oneMinuteRate(), 0.01);
        assertTrue(m.fifteenMinuteRate() > m.fiveMinuteRate() && m.fiveMinuteRate() > m.oneMinuteRate());
    }

    @Test
    void aLateTickCatchesUpEveryMissedStep() {
        MovingAverages once = new MovingAverages();
        MovingAverages often = new MovingAverages();
        once.tick(START);
        often.tick(START);
        for (int s = 1; s <= 30; s++) {
            once.mark(5);
            often.mark(5);
            often.tick(START + s * 1_000L);
        }
        once.tick(START + 30_000); // one call for six ticks
        assertEquals(often.oneMinuteRate(), once.oneMinuteRate(), 1e-9);
        assertEquals(5.0, once.perSecond(), 1e-9);
    }

    @Test
    void ticksCloserThanTheStepChangeNothing() {
        MovingAverages m = new MovingAverages();
        m.tick(START);
        m.mark(100);
        m.tick(START + 4_999);
        assertEquals(0.0, m.oneMinuteRate());
        m.tick(START + 5_000);
        assertEquals(20.0, m.perSecond(), 1e-9);
    }
}
