package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.metrics.MetricNames;
import io.sprawl.overlay.metrics.MetricsSnapshot;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The loads election and routing see, from the published snapshots. */
class MetricsSharingTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long STALE_AFTER = 6_000;

    private static MetricsSnapshot snapshot(String node, long age, double forecast) {
        return new MetricsSnapshot(node, NOW - age, Map.of(MetricNames.LOAD_FORECAST, forecast,
                MetricNames.LOAD_FORECAST_ERROR, 0.05, MetricNames.CPU, 1.0));
    }

    /** A node just started: its forecaster has not yet seen a forecast come due, so there is no error figure. */
    private static MetricsSnapshot young(String node, double forecast) {
        return new MetricsSnapshot(node, NOW, Map.of(MetricNames.LOAD_FORECAST, forecast, MetricNames.CPU, 1.0));
    }

    @Test
    void freshForecastsCountAndUnknownOrStaleOnesCountAsTheBusiest() {
        Map<String, MetricsSnapshot> published = Map.of(
                "a", snapshot("a", 1_000, 0.2),
                "b", snapshot("b", 2_000, 0.7),
                "c", snapshot("c", STALE_AFTER + 1, 0.0), // stopped publishing: its idle look is old news
                "gone", snapshot("gone", 0, 0.0));        // not a live member any more
        Map<String, Double> loads = MetricsSharing.loads(published, Set.of("a", "b", "c", "d"), NOW, STALE_AFTER);
        assertEquals(Map.of("a", 0.2, "b", 0.7, "c", 0.7, "d", 0.7), loads,
                "c (stale) and d (a newcomer) must not look idle");
    }

    @Test
    void aForecastBeforeItsFirstCameDueCountsAsUnknown() {
        Map<String, MetricsSnapshot> published = Map.of("leader", snapshot("leader", 500, 0.99), "restarted",
                young("restarted", 0.0));
        assertEquals(Map.of("leader", 0.99, "restarted", 0.99),
                MetricsSharing.loads(published, Set.of("leader", "restarted"), NOW, STALE_AFTER),
                "a restarted node's first samples must not make it look idle and draw the leadership");
    }

    @Test
    void withNoLoadKnownNobodyHasOne() {
        assertTrue(MetricsSharing.loads(Map.of(), Set.of("a", "b"), NOW, STALE_AFTER).isEmpty(),
                "sampling off everywhere: the declared weights alone decide");
        Map<String, MetricsSnapshot> noForecast = Map.of("a", new MetricsSnapshot("a", NOW, Map.of(MetricNames.CPU, 5.0)));
        assertTrue(MetricsSharing.loads(noForecast, Set.of("a"), NOW, STALE_AFTER).isEmpty());
    }
}
