package io.sprawl.overlay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Holt's trend forecast, a step at a time: what it predicts and the error it reports. */
class LoadForecastTest {

    @Test
    void aSteadyLoadIsForecastAsItselfWithNoError() {
        LoadForecast f = new LoadForecast(10);
        for (int i = 0; i < 100; i++) {
            f.add(0.4);
        }
        assertEquals(0.4, f.forecast(), 1e-9);
        assertEquals(0.0, f.error(), 1e-9);
    }

    @Test
    void aRisingLoadIsForecastAheadOfItsTrend() {
        LoadForecast f = new LoadForecast(10);
        double value = 0;
        for (int i = 0; i < 60; i++) { // +0.01 a step: 0 to 0.59
            value = 0.01 * i;
            f.add(value);
        }
        // Ten steps ahead of 0.59 on a +0.01 trend is 0.69; Holt's level lags a ramp a little.
        assertEquals(0.69, f.forecast(), 0.03);
        assertTrue(f.error() < 0.05, "a steady ramp is forecast well: " + f.error());
    }

    @Test
    void theForecastStaysWithinZeroAndOne() {
        LoadForecast up = new LoadForecast(100);
        LoadForecast down = new LoadForecast(100);
        for (int i = 0; i < 50; i++) {
            up.add(Math.min(1, 0.03 * i));
            down.add(Math.max(0, 1 - 0.03 * i));
        }
        assertEquals(1.0, up.forecast());
        assertEquals(0.0, down.forecast());
    }

    @Test
    void aJumpShowsInTheErrorOnceItsForecastsComeDue() {
        LoadForecast f = new LoadForecast(5);
        for (int i = 0; i < 30; i++) {
            f.add(0.1);
        }
        assertEquals(0.0, f.error(), 1e-9);
        for (int i = 0; i < 5; i++) {
            f.add(0.9); // the forecasts made at 0.1 come due against 0.9
        }
        assertTrue(f.error() > 0.1, "the miss is reported: " + f.error());
    }

    @Test
    void noErrorBeforeTheFirstForecastCameDue() {
        LoadForecast f = new LoadForecast(3);
        f.add(0.5);
        f.add(0.5);
        f.add(0.5);
        assertTrue(Double.isNaN(f.error()));
        f.add(0.5);
        assertEquals(0.0, f.error(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new LoadForecast(0));
    }
}
