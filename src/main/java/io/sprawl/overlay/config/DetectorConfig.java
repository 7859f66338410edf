package io.sprawl.overlay.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * The failure detector's settings ({@code sprawl.probe.*}, {@code sprawl.suspicion.*}); the reasons for
 * each default are in {@link Settings}. Immutable.
 */
public record DetectorConfig(
        boolean enabled,
        int probeIntervalMillis,
        int probeTimeoutMillis,
        int indirectProbes,
        int stuckAfterMillis,
        int awarenessMax,
        boolean excludeFailed,
        int suspicionMultiplier,
        int suspicionMaxMultiplier,
        int suspicionConfirmations,
        int pauseAllowanceMaxMillis,
        int protocolVersion) {

    static DetectorConfig from(Function<String, Optional<String>> source) {
        DetectorConfig c = new DetectorConfig(
                Settings.PROBE_ENABLED.read(source),
                Settings.PROBE_INTERVAL_MS.read(source),
                Settings.PROBE_TIMEOUT_MS.read(source),
                Settings.PROBE_INDIRECT.read(source),
                Settings.PROBE_STUCK_AFTER_MS.read(source),
                Settings.PROBE_AWARENESS_MAX.read(source),
                Settings.PROBE_EXCLUDE_FAILED.read(source),
                Settings.SUSPICION_MULTIPLIER.read(source),
                Settings.SUSPICION_MAX_MULTIPLIER.read(source),
                Settings.SUSPICION_CONFIRMATIONS.read(source),
                Settings.SUSPICION_PAUSE_ALLOWANCE_MAX_MS.read(source),
                Settings.PROBE_PROTOCOL_VERSION.read(source));
        // A node must not call itself stuck between two ordinary rounds.
        if (c.stuckAfterMillis < 2 * c.probeIntervalMillis) {
            throw new SettingException(Settings.PROBE_STUCK_AFTER_MS.key(), String.valueOf(c.stuckAfterMillis),
                    "expected at least twice sprawl.probe.interval-ms (" + 2 * c.probeIntervalMillis + " ms)");
        }
        return c;
    }

    /** The defaults, for tests and tools. */
    public static DetectorConfig defaults() {
        return from(key -> Optional.empty());
    }
}
