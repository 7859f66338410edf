package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.testkit.MutableClock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jgroups.protocols.dns.DNS_PING;
import org.junit.jupiter.api.Test;

/** The wait for the node's own DNS record, on a clock the test moves, and where the DNS server comes from. */
class DnsDiscoveryTest {

    private final MutableClock clock = new MutableClock(1_000_000);

    /** Answers in order; the last one stays. Each pause moves the clock. */
    private boolean await(int waitMillis, Deque<List<String>> answers) throws InterruptedException {
        return DnsDiscovery.awaitListed("sprawl.test", "10.0.0.3", waitMillis,
                () -> answers.size() > 1 ? answers.poll() : answers.peek(), clock::millis, clock::advance);
    }

    @Test
    void joinsOnceTheNameListsThisNode() throws InterruptedException {
        Deque<List<String>> answers = new ArrayDeque<>(List.of(List.of(), List.of("10.0.0.1"),
                List.of("10.0.0.1", "10.0.0.2", "10.0.0.3")));
        assertTrue(await(60_000, answers));
        assertEquals(2 * DnsDiscovery.POLL_MILLIS, clock.millis() - 1_000_000, "asked three times, paused twice");
    }

    @Test
    void joinsAnywayAfterTheWaitWhenTheNameNeverListsIt() throws InterruptedException {
        assertFalse(await(10_000, new ArrayDeque<>(List.of(List.of("10.0.0.1")))));
        long waited = clock.millis() - 1_000_000;
        assertTrue(waited >= 10_000 && waited <= 10_000 + DnsDiscovery.POLL_MILLIS, "waited " + waited + " ms");
    }

    @Test
    void noWaitAsksOnce() throws InterruptedException {
        assertFalse(await(0, new ArrayDeque<>(List.of(List.of()))));
        assertEquals(1_000_000, clock.millis());
    }

    @Test
    void theServerIsTheSettingOrTheSystemsFirstNameserver() {
        assertEquals(Optional.of("10.96.0.10"), DnsDiscovery.nameserver(
                "search ns.svc.cluster.local svc.cluster.local\n# a comment\nnameserver 10.96.0.10\nnameserver 8.8.8.8\n"));
        assertEquals(Optional.of("[fd00::a]"), DnsDiscovery.nameserver("nameserver fd00::a\n"));
        assertEquals(Optional.empty(), DnsDiscovery.nameserver("search local\n"));
        OverlayConfig c = OverlayConfig.from(Map.of("sprawl.node.id", "n1", "sprawl.discovery", "dns",
                "sprawl.dns.query", "sprawl.test", "sprawl.dns.address", "127.0.0.53:5353",
                "sprawl.cluster.security", "plaintext"));
        DNS_PING ping = DnsDiscovery.protocol(c);
        assertEquals("127.0.0.53:5353", ping.getDNSAddress());
        assertEquals("sprawl.test", ping.getDNSQuery());
    }
}
