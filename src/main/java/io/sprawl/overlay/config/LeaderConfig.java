package io.sprawl.overlay.config;

import java.util.Optional;
import java.util.function.Function;

/** The election's settings ({@code sprawl.leader.*}); the reasons for each default are in {@link Settings}. Immutable. */
public record LeaderConfig(
        int checkIntervalMillis,
        int leaseMillis,
        double hysteresis,
        int minTenureMillis,
        String preferredSite,
        boolean minorityReady) {

    static LeaderConfig from(Function<String, Optional<String>> source) {
        LeaderConfig c = new LeaderConfig(
                Settings.LEADER_CHECK_INTERVAL_MS.read(source),
                Settings.LEADER_LEASE_MS.read(source),
                Settings.LEADER_HYSTERESIS.read(source),
                Settings.LEADER_MIN_TENURE_MS.read(source),
                Settings.LEADER_PREFERRED_SITE.read(source),
                Settings.LEADER_MINORITY_READY.read(source));
        // The leader renews once per check: a lease must outlast a renewal that is late by a whole interval.
        if (c.leaseMillis < 3 * c.checkIntervalMillis) {
            throw new SettingException(Settings.LEADER_LEASE_MS.key(), String.valueOf(c.leaseMillis),
                    "expected at least three times sprawl.leader.check-interval-ms (" + 3 * c.checkIntervalMillis
                            + " ms)");
        }
        return c;
    }

    /** The defaults, for tests and tools. */
    public static LeaderConfig defaults() {
        return from(key -> Optional.empty());
    }
}
