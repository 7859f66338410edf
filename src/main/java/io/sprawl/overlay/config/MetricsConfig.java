package io.sprawl.overlay.config;

import java.util.Optional;
import java.util.function.Function;

/** The metrics manager's settings ({@code sprawl.metrics.*}); the reasons for each default are in {@link Settings}. Immutable. */
public record MetricsConfig(
        boolean enabled,
        int sampleIntervalMillis,
        int publishIntervalMillis,
        int forecastHorizonSeconds,
        int customMax) {

    static MetricsConfig from(Function<String, Optional<String>> source) {
        MetricsConfig c = new MetricsConfig(
                Settings.METRICS_ENABLED.read(source),
                Settings.METRICS_SAMPLE_INTERVAL_MS.read(source),
                Settings.METRICS_PUBLISH_INTERVAL_MS.read(source),
                Settings.METRICS_FORECAST_HORIZON_S.read(source),
                Settings.METRICS_CUSTOM_MAX.read(source));
        // A snapshot is the latest sample: publishing more often than sampling would repeat it.
        if (c.publishIntervalMillis < c.sampleIntervalMillis) {
            throw new SettingException(Settings.METRICS_PUBLISH_INTERVAL_MS.key(),
                    String.valueOf(c.publishIntervalMillis), "expected at least sprawl.metrics.sample-interval-ms ("
                            + c.sampleIntervalMillis + " ms)");
        }
        return c;
    }

    /** The defaults, for tests and tools. */
    public static MetricsConfig defaults() {
        return from(key -> Optional.empty());
    }

    /** How many samples ahead the load forecast looks. */
    public int forecastSteps() {
        return Math.max(1, (int) Math.round(forecastHorizonSeconds * 1000.0 / sampleIntervalMillis));
    }
}
