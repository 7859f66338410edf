package io.sprawl.overlay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two-tier history under a simulated clock: downsampling, and its bound after a long run. */
class HistoryTest {

    private static final long START = 1_700_000_000_000L; // a whole minute

    @Test
    void recentSamplesComeAtOneSecondOlderOnesPerMinute() {
        History h = new History();
        assertNull(h.latest());
        long end = START;
        for (int s = 0; s < 3 * 3600; s++) { // three hours of a sawtooth 0..59 per minute
            end = START + s * 1_000L;
            h.add(end, s % 60);
        }
        List<History.Point> last5 = h.between(end - 5 * 60_000 + 1_000, end); // the steps that overlap it
        assertEquals(300, last5.size());
        assertEquals(end, last5.get(last5.size() - 1).time());
        assertEquals(59.0, h.latest().value());

        List<History.Point> last2h = h.between(end - 2 * 3_600_000L, end);
        assertTrue(last2h.size() >= 120 && last2h.size() <= 121, "per minute: " + last2h.size());
        History.Point minute = last2h.get(10);
        assertEquals(60_000, last2h.get(11).time() - minute.time());
        assertEquals(29.5, minute.value(), 1e-9, "the minute's mean");
        assertEquals(0.0, minute.min());
        assertEquals(59.0, minute.max());
    }

    @Test
    void aLongRunStaysWithinTheBound() {
        History h = new History();
        long end = START;
        for (long s = 0; s < 30 * 3600; s++) { // 30 hours at one sample a second
            end = START + s * 1_000;
            h.add(end, 1.0);
        }
        assertTrue(h.between(Long.MIN_VALUE, Long.MAX_VALUE).size() <= History.COARSE_POINTS);
        assertEquals(History.FINE_POINTS, h.between(end - (History.FINE_POINTS - 1) * 1_000L, end).size());
        assertTrue(h.between(end - History.FINE_POINTS * 1_000L, end).size() <= 11,
                "a second further back than the fine tier reaches: the minutes");
        List<History.Point> all = h.between(end - 24 * 3_600_000L, end);
        assertEquals(History.COARSE_POINTS, all.size(), "24 h of minutes, no more");
        assertTrue(all.get(0).time() > START, "the oldest hours are gone");
    }

    @Test
    void twoSamplesInOneStepAreFolded() {
        History h = new History();
        h.add(START + 100, 2.0);
        h.add(START + 900, 4.0);
        History.Point p = h.latest();
        assertEquals(START, p.time());
        assertEquals(3.0, p.value());
        assertEquals(2.0, p.min());
        assertEquals(4.0, p.max());
    }
}
