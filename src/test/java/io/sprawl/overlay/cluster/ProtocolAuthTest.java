package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.InfinispanAddresses;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.jgroups.auth.FixedMembershipToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Joins across protocol versions on real channels: two nodes of this build (1-2); a node of a later release
 * that speaks 3-4 only is refused at its join with the reason, on both sides; one that speaks 1-1 joins, and
 * so does one with no AUTH in its stack at all (a node of the first release).
 */
class ProtocolAuthTest {

    private static final Duration SOON = Duration.ofSeconds(20);
    /** Away from LocalNodes' ports (23000 up) and ClusterSecurityTest's strangers (23900 up). */
    private static final int JOINER_PORT = 23_920;

    private final String cluster = "protocol-" + System.nanoTime();
    private final LocalNodes nodes = new LocalNodes(cluster);
    private final List<JChannel> joiners = new ArrayList<>();

    @BeforeEach
    void startTwo() throws Exception {
        nodes.start("a");
        nodes.start("b");
        nodes.awaitHealthy(SOON, "a", "b");
    }

    @AfterEach
    void stop() {
        joiners.forEach(JChannel::close);
        nodes.close();
    }

    @Test
    void aNodeOfARangeThatMeetsNoneIsRefusedAtItsJoinWithTheReason() throws Exception {
        JChannel later = joiner("later", 0);
        ((ProtocolAuth) later.getProtocolStack().findProtocol(ProtocolAuth.class)).speaks(3, 4);
        Exception e = assertThrows(Exception.class, () -> later.connect(cluster));
        String reason = rootMessage(e);
        assertTrue(reason.contains("refused later") && reason.contains("speaks protocol 3-4, this cluster 1-2"),
                reason);
        ClusterTransport.ProtocolStatus status = nodes.node("a").transport().protocol();
        assertEquals("1-2", status.speaks());
        assertEquals(1, status.refused() + nodes.node("b").transport().protocol().refused(), "one refusal");
        assertEquals(2, nodes.node("a").transport().channel().getView().size());
    }

    @Test
    void aNodeOfTheFirstReleaseAndOneOfAnOverlappingRangeJoin() throws Exception {
        JChannel first = joiner("first", 1);
        first.getProtocolStack().removeProtocol(ProtocolAuth.class); // the first release has no AUTH
        first.connect(cluster);
        JChannel old = joiner("old", 2);
        ((ProtocolAuth) old.getProtocolStack().findProtocol(ProtocolAuth.class)).speaks(1, 1);
        old.connect(cluster);
        Await.until("both to join", SOON, () -> nodes.node("a").transport().channel().getView().size() == 4,
                () -> nodes.node("a").transport().channel().getView());
        assertEquals(0, nodes.node("a").transport().protocol().refused());
    }

    @Test
    void aPlainJGroupsChannelIsRefusedNotLeftToBreakTheCoordinatorsCaches() throws Exception {
        JChannel plain = channel("plain", 3); // a plain UUID address: not an Infinispan node's
        Exception e = assertThrows(Exception.class, () -> plain.connect(cluster));
        String reason = rootMessage(e);
        assertTrue(reason.contains("refused plain: it is not an Infinispan node (a plain JGroups address)"), reason);
        assertEquals(2, nodes.node("a").transport().channel().getView().size());
    }

    @Test
    void theRangeRules() {
        ProtocolAuth auth = new ProtocolAuth("a", 1, 2);
        assertNull(auth.refusal(new FixedMembershipToken("sprawl-protocol 2-5"), "x"));
        assertNull(auth.refusal(new FixedMembershipToken("sprawl-protocol 1-1"), "x"));
        assertNotNull(auth.refusal(new FixedMembershipToken("sprawl-protocol 3-3"), "x"));
        assertTrue(auth.refusal(new FixedMembershipToken("hello"), "x").contains("names no sprawl-overlay protocol"));
        assertNull(ProtocolAuth.parse("sprawl-protocol 2-1"));
        assertNull(ProtocolAuth.parse("sprawl-protocol x-1"));
        assertNull(ProtocolAuth.notInfinispan(
                org.infinispan.remoting.transport.Address.randomUUID("x", null, null, null)));
        assertTrue(ProtocolAuth.notInfinispan(org.jgroups.util.ExtendedUUID.randomUUID("x"))
                .contains("carries no Infinispan version"));
        assertEquals("sprawl-protocol 1-2", ProtocolAuth.carried(new FixedMembershipToken("sprawl-protocol 1-2")));
    }

    /** A bare channel of this build's stack addressed as an Infinispan node is (every release is one). */
    private JChannel joiner(String name, int i) throws Exception {
        return InfinispanAddresses.addressedAsANode(channel(name, i), name);
    }

    /** A bare channel of this build's stack, with a certificate of the cluster's CA, seeded with a and b. */
    private JChannel channel(String name, int i) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("sprawl.node.id", name);
        s.put("sprawl.cluster.name", cluster);
        s.put("sprawl.bind.address", "127.0.0.1");
        s.put("sprawl.gossip.port", Integer.toString(JOINER_PORT + i));
        s.put("sprawl.join.timeout-ms", "2000");
        s.put("sprawl.tls.dir", LocalNodes.pki().node(name).toString());
        s.put("sprawl.seeds", List.of("a", "b").stream().map(id -> "127.0.0.1:" + nodes.port(id))
                .collect(Collectors.joining(",")));
        OverlayConfig c = OverlayConfig.from(s);
        JChannel ch = new JGroupsStack(c, ClusterTls.start(c.security(), Clock.systemUTC())).createChannel(cluster);
        ch.setName(name);
        joiners.add(ch);
        return ch;
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
        }
        return all.toString();
    }
}
