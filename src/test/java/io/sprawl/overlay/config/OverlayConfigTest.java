package io.sprawl.overlay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OverlayConfigTest {

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("sprawl.node.id", "node0");
        m.put("sprawl.tls.dir", "/etc/sprawl/tls"); // read when the node starts (TlsMaterialTest), not here
        return m;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        OverlayConfig c = OverlayConfig.from(valid());
        assertEquals("sprawl", c.clusterName());
        assertEquals("127.0.0.1", c.bindAddress());
        assertEquals(7800, c.gossipPort());
        assertEquals(9080, c.httpPort());
        assertEquals(List.of(), c.seeds());
        assertEquals(Discovery.STATIC, c.discovery());
        assertEquals(10, c.retentionMinutes());
        assertEquals(3, c.routingReplicas());
        assertEquals(new DetectorConfig(true, 100, 100, 3, 1000, 8, true, 20, 2, 3, 3000, 2), c.detector());
        assertEquals(new LeaderConfig(200, 1000, 0.2, 60000, "", false), c.leader());
        assertEquals(new SecurityConfig(ClusterSecurity.TLS, "/etc/sprawl/tls", "", "", ""), c.security());
    }

    @Test
    void listsAndPairsAreParsed() {
        Map<String, String> m = valid();
        m.put("sprawl.seeds", " 10.0.0.1:7800, [::1]:7801,host-b:7802 ");
        m.put("sprawl.capabilities", "leader-eligible=true, weight=2");
        m.put("sprawl.discovery", "MULTICAST");
        OverlayConfig c = OverlayConfig.from(m);
        assertEquals(List.of(new HostPort("10.0.0.1", 7800), new HostPort("::1", 7801), new HostPort("host-b", 7802)),
                c.seeds());
        assertEquals(Map.of("leader-eligible", "true", "weight", "2"), c.capabilities());
        assertEquals(Discovery.MULTICAST, c.discovery());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sprawl.gossip.port|70000|sprawl.gossip.port=70000 is not allowed: expected a TCP port (the failure-detection socket takes port+1000), a whole number from 1 to 64535",
        "sprawl.http.port|http|sprawl.http.port=http is not allowed: expected a TCP port, a whole number from 1 to 65535",
        "sprawl.seeds|10.0.0.1:7800,10.0.0.2|sprawl.seeds=10.0.0.1:7800,10.0.0.2 is not allowed: expected comma-separated host:port seeds with ports 1-65535, e.g. 10.0.0.1:7800,10.0.0.2:7800; '10.0.0.2' is not one",
        "sprawl.node.id|''|sprawl.node.id= is not allowed: expected a node id: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "sprawl.discovery|gossip|sprawl.discovery=gossip is not allowed: expected one of static, dns, multicast",
        "sprawl.capabilities|weight|sprawl.capabilities=weight is not allowed: expected comma-separated key=value pairs (key: letters, digits, '.', '_' or '-'), e.g. leader-eligible=true,weight=2; 'weight' is not one",
        "sprawl.membership.retention-minutes|-1|sprawl.membership.retention-minutes=-1 is not allowed: expected minutes, a whole number from 0 to 10080",
        "sprawl.cluster.security|none|sprawl.cluster.security=none is not allowed: expected one of tls, plaintext",
        "sprawl.probe.interval-ms|5|sprawl.probe.interval-ms=5 is not allowed: expected milliseconds, a whole number from 20 to 10000",
        "sprawl.probe.enabled|yes|sprawl.probe.enabled=yes is not allowed: expected true or false",
        "sprawl.probe.indirect-count|many|sprawl.probe.indirect-count=many is not allowed: expected a number of members, a whole number from 0 to 16",
        "sprawl.suspicion.multiplier|0|sprawl.suspicion.multiplier=0 is not allowed: expected a multiplier, a whole number from 1 to 1000",
        "sprawl.probe.stuck-after-ms|150|sprawl.probe.stuck-after-ms=150 is not allowed: expected at least twice sprawl.probe.interval-ms (200 ms)",
        "sprawl.leader.lease-ms|500|sprawl.leader.lease-ms=500 is not allowed: expected at least three times sprawl.leader.check-interval-ms (600 ms)",
        "sprawl.leader.hysteresis|-0.1|sprawl.leader.hysteresis=-0.1 is not allowed: expected a score difference, a decimal number from 0.0 to 100.0",
        "sprawl.leader.min-tenure-ms|-1|sprawl.leader.min-tenure-ms=-1 is not allowed: expected milliseconds, a whole number from 0 to 86400000",
        "sprawl.leader.preferred-site|dc 1|sprawl.leader.preferred-site=dc 1 is not allowed: expected a site name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "sprawl.leader.minority-ready|maybe|sprawl.leader.minority-ready=maybe is not allowed: expected true or false",
        "sprawl.metrics.enabled|on|sprawl.metrics.enabled=on is not allowed: expected true or false",
        "sprawl.metrics.sample-interval-ms|100|sprawl.metrics.sample-interval-ms=100 is not allowed: expected milliseconds, a whole number from 200 to 60000",
        "sprawl.metrics.publish-interval-ms|500|sprawl.metrics.publish-interval-ms=500 is not allowed: expected at least sprawl.metrics.sample-interval-ms (1000 ms)",
        "sprawl.metrics.forecast-horizon-seconds|0|sprawl.metrics.forecast-horizon-seconds=0 is not allowed: expected seconds, a whole number from 1 to 3600",
        "sprawl.metrics.custom-max|-1|sprawl.metrics.custom-max=-1 is not allowed: expected a number of metrics, a whole number from 0 to 10000",
    })
    void aBadValueNamesKeyValueAndWhatIsAllowed(String key, String value, String message) {
        Map<String, String> m = valid();
        m.put(key, value);
        SettingException e = assertThrows(SettingException.class, () -> OverlayConfig.from(m));
        assertEquals(message, e.getMessage());
        assertEquals(key, e.key());
    }

    @Test
    void dnsDiscoveryNeedsAQuery() {
        Map<String, String> m = valid();
        m.put("sprawl.discovery", "dns");
        SettingException e = assertThrows(SettingException.class, () -> OverlayConfig.from(m));
        assertEquals("sprawl.dns.query= is not allowed: a DNS name is required when sprawl.discovery is dns",
                e.getMessage());
    }

    @Test
    void aDnsServerIsHostAndPort() {
        Map<String, String> m = valid();
        m.put("sprawl.dns.address", "10.96.0.10");
        SettingException e = assertThrows(SettingException.class, () -> OverlayConfig.from(m));
        assertEquals("sprawl.dns.address=10.96.0.10 is not allowed: expected a DNS server as host:port, e.g."
                + " 10.96.0.10:53, or nothing", e.getMessage());
        m.put("sprawl.dns.address", "10.96.0.10:53");
        assertEquals("10.96.0.10:53", OverlayConfig.from(m).dnsAddress());
    }
}
