package io.sprawl.overlay.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A node's settings, read and validated at once: a node never runs half-configured. Immutable, so
 * any thread may read it. Built from any key lookup (MicroProfile Config in a server, a map in tests).
 */
public record OverlayConfig(
        String nodeId,
        String clusterName,
        String bindAddress,
        int gossipPort,
        int httpPort,
        List<HostPort> seeds,
        Discovery discovery,
        String dnsQuery,
        String dnsAddress,
        int dnsWaitMillis,
        String multicastAddress,
        int multicastPort,
        String site,
        String rack,
        Map<String, String> capabilities,
        Map<String, String> metadata,
        int joinTimeoutMillis,
        int retentionMinutes,
        int historySize,
        int rejoinHoldDownMillis,
        int routingReplicas,
        int requestMaxBytes,
        SecurityConfig security,
        DetectorConfig detector,
        LeaderConfig leader,
        MetricsConfig metrics) {

    /** Reads every setting; the first bad one throws a {@link SettingException} naming key, value and what is allowed. */
    public static OverlayConfig from(Function<String, Optional<String>> source) {
        OverlayConfig c = new OverlayConfig(
                Settings.NODE_ID.read(source),
                Settings.CLUSTER_NAME.read(source),
                Settings.BIND_ADDRESS.read(source),
                Settings.GOSSIP_PORT.read(source),
                Settings.HTTP_PORT.read(source),
                Settings.SEEDS.read(source),
                Settings.DISCOVERY.read(source),
                Settings.DNS_QUERY.read(source),
                Settings.DNS_ADDRESS.read(source),
                Settings.DNS_WAIT_MS.read(source),
                Settings.MULTICAST_ADDRESS.read(source),
                Settings.MULTICAST_PORT.read(source),
                Settings.SITE.read(source),
                Settings.RACK.read(source),
                Settings.CAPABILITIES.read(source),
                Settings.METADATA.read(source),
                Settings.JOIN_TIMEOUT_MS.read(source),
                Settings.RETENTION_MINUTES.read(source),
                Settings.HISTORY_SIZE.read(source),
                Settings.REJOIN_HOLD_DOWN_MS.read(source),
                Settings.ROUTING_REPLICAS.read(source),
                Settings.REQUEST_MAX_BYTES.read(source),
                SecurityConfig.from(source),
                DetectorConfig.from(source),
                LeaderConfig.from(source),
                MetricsConfig.from(source));
        if (c.discovery == Discovery.DNS && c.dnsQuery.isBlank()) {
            throw new SettingException(Settings.DNS_QUERY.key(), c.dnsQuery,
                    "a DNS name is required when sprawl.discovery is dns");
        }
        return c;
    }

    /** Settings from a plain map; keys absent from it take their defaults. */
    public static OverlayConfig from(Map<String, String> values) {
        return from(key -> Optional.ofNullable(values.get(key)));
    }

    public long retentionMillis() {
        return retentionMinutes * 60_000L;
    }
}
