package io.sprawl.overlay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.MetricsConfig;
import io.sprawl.overlay.testkit.MutableClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The metrics manager under a simulated clock and a scripted machine. */
class MetricsManagerTest {

    private static final long START = 1_700_000_000_000L;

    private final MutableClock clock = new MutableClock(START);
    /** The machine's CPU use the next sample reads, in percent. */
    private double cpu = 20;

    private MetricsManager manager(MetricsConfig config) {
        return new MetricsManager("node0", config, clock, () -> now -> {
            Map<String, Double> m = new HashMap<>();
            m.put(MetricNames.CPU, cpu);
            m.put(MetricNames.MEMORY_TOTAL, 8e9);
            m.put(MetricNames.MEMORY_USED, 2e9);
            return m;
        });
    }

    private static MetricsConfig config(int customMax) {
        MetricsConfig d = MetricsConfig.defaults();
        return new MetricsConfig(true, 1_000, 2_000, d.forecastHorizonSeconds(), customMax);
    }

    /** {@code seconds} sampling steps of 1 s. */
    private void run(MetricsManager m, int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advance(1_000);
            m.sample();
        }
    }

    @Test
    void eachStepRecordsTheMachineTheLoadAndItsForecast() {
        MetricsManager m = manager(config(10));
        assertEquals(0, m.current().time());
        assertNull(m.current().figures().get(MetricNames.LOAD_FORECAST));
        run(m, 30);
        Map<String, Double> f = m.current().figures();
        assertEquals(START + 30_000, m.current().time());
        assertEquals(20.0, f.get(MetricNames.CPU));
        assertEquals(0.2, f.get(MetricNames.LOAD), 1e-9);
        assertEquals(0.2, f.get(MetricNames.LOAD_FORECAST), 1e-9, "a steady load");
        assertEquals(0.0, f.get(MetricNames.LOAD_FORECAST_ERROR), 1e-9);
        assertEquals(30, m.history(MetricNames.CPU).between(START, clock.millis()).size());

        MetricsSnapshot s = m.snapshot();
        assertEquals("node0", s.node());
        assertEquals(clock.millis(), s.time());
        assertEquals(0.2, s.figure(MetricNames.LOAD_FORECAST, -1), 1e-9);
    }

    @Test
    void aClimbingLoadIsForecastAboveTheLoadNow() {
        MetricsManager m = manager(config(10));
        for (int i = 0; i < 60; i++) {
            cpu = i; // +1 % a second
            run(m, 1);
        }
        double now = m.current().figures().get(MetricNames.LOAD);
        double forecast = m.current().figures().get(MetricNames.LOAD_FORECAST);
        assertTrue(forecast > now + 0.05, "10 s ahead of " + now + ": " + forecast);
    }

    @Test
    void messageRatesFollowTheMarks() {
        MetricsManager m = manager(config(10));
        AtomicLong heard = new AtomicLong();
        m.onMessages(heard::addAndGet);
        run(m, 1);
        for (int s = 0; s < 120; s++) { // 50 messages a second for two minutes
            m.markMessages(50);
            run(m, 1);
        }
        Map<String, Double> f = m.current().figures();
        assertEquals(6_000.0, f.get(MetricNames.MESSAGES));
        assertEquals(6_000, heard.get(), "the listener hears every mark");
        assertEquals(50.0, f.get(MetricNames.MESSAGES_RATE), 1e-9);
        // After two minutes of a steady 50/s the 1-minute average is near it, the slower ones behind.
        assertTrue(f.get(MetricNames.MESSAGES_1M) > 40, "1m " + f.get(MetricNames.MESSAGES_1M));
        assertTrue(f.get(MetricNames.MESSAGES_5M) < f.get(MetricNames.MESSAGES_1M));
        assertTrue(f.get(MetricNames.MESSAGES_15M) < f.get(MetricNames.MESSAGES_5M));
    }

    @Test
    void customMetricsAreSampledAndResetWithTheirHistory() {
        MetricsManager m = manager(config(10));
        CustomMetrics c = m.custom();
        c.add("orders", 3);
        c.add("orders", 2);
        c.set("queue-depth", 17.5);
        run(m, 5);
        assertEquals(5.0, m.current().figures().get("custom.orders"));
        assertEquals(17.5, m.current().figures().get("custom.queue-depth"));
        assertEquals(5, m.history("custom.orders").between(START, clock.millis()).size());

        assertTrue(m.resetCustom("orders"));
        assertNull(m.history("custom.orders"), "its history goes with the reset");
        assertEquals(0.0, c.get("orders").value());
        assertFalse(m.resetCustom("never-registered"));
        run(m, 1);
        assertEquals(0.0, m.current().figures().get("custom.orders"));
    }

    @Test
    void customMetricsRefuseBadNamesValuesTypesAndOneTooMany() {
        CustomMetrics c = manager(config(2)).custom();
        c.add("a", 1);
        c.set("b", 1);
        assertEquals("too-many", assertThrows(CustomMetrics.Refused.class, () -> c.add("c", 1)).code());
        assertEquals("wrong-type", assertThrows(CustomMetrics.Refused.class, () -> c.set("a", 1)).code());
        assertEquals("bad-name", assertThrows(CustomMetrics.Refused.class, () -> c.add("Bad Name", 1)).code());
        assertEquals("bad-name", assertThrows(CustomMetrics.Refused.class, () -> c.add(null, 1)).code());
        assertEquals("bad-value", assertThrows(CustomMetrics.Refused.class, () -> c.add("a", -1)).code());
        assertEquals("bad-value", assertThrows(CustomMetrics.Refused.class, () -> c.add("a", Double.NaN)).code());
        assertEquals("bad-value", assertThrows(CustomMetrics.Refused.class, () -> c.set("b", Double.POSITIVE_INFINITY))
                .code());
        assertEquals(2, c.all().size());
    }

    @Test
    void aMachineThatCannotBeReadLeavesCountsAndCustomMetricsGoing() {
        AtomicInteger made = new AtomicInteger();
        MetricsManager m = new MetricsManager("node0", config(10), clock, () -> {
            made.incrementAndGet();
            return now -> {
                throw new IllegalStateException("no /proc here");
            };
        });
        m.markMessages(7);
        m.custom().set("g", 1);
        run(m, 3);
        assertEquals(1, made.get(), "the sampler is made once, at the first step");
        assertEquals(7.0, m.current().figures().get(MetricNames.MESSAGES));
        assertEquals(1.0, m.current().figures().get("custom.g"));
        assertNull(m.current().figures().get(MetricNames.LOAD), "no reading, no load");
    }

    @Test
    void aDayAndAHalfOfSamplingStaysWithinTheHistoryBound() {
        MetricsManager m = manager(config(10));
        m.custom().set("g", 1);
        for (int s = 0; s < 36 * 3600; s++) {
            cpu = s % 100;
            run(m, 1);
        }
        for (String name : m.names()) {
            List<History.Point> all = m.history(name).between(0, clock.millis());
            assertTrue(all.size() <= History.COARSE_POINTS, name + ": " + all.size());
            assertEquals(History.FINE_POINTS,
                    m.history(name).between(clock.millis() - (History.FINE_POINTS - 1) * 1_000L, clock.millis()).size(),
                    name);
        }
        assertNotNull(m.history(MetricNames.LOAD_FORECAST));
        assertEquals(12, m.names().size(), "cpu, memory x2, messages x5, load x3, custom x1: " + m.names());
    }
}
