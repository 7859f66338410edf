package io.sprawl.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.HostPort;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.routing.Router;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several real nodes in this JVM on loopback: one cluster, one table, one routing. */
class ClusterFormationTest {

    private static final Duration SOON = Duration.ofSeconds(15);

    private final LocalNodes nodes = new LocalNodes("formation-" + System.nanoTime());

    @AfterEach
    void stop() {
        nodes.close();
    }

    private void startThree() throws Exception {
        nodes.start("a");
        nodes.start("b");
        nodes.start("c");
        nodes.awaitHealthy(SOON, "a", "b", "c");
    }

    @Test
    void threeNodesFormOneClusterAndAgreeOnTheTable() throws Exception {
        startThree();
        List<String> reference = LocalNodes.table(nodes.node("a"));
        for (String id : List.of("b", "c")) {
            Await.until(id + " to agree with a", SOON, () -> LocalNodes.table(nodes.node(id)).equals(reference),
                    () -> LocalNodes.table(nodes.node(id)));
        }
        Member b = nodes.node("a").membership().member("b").orElseThrow();
        assertEquals(nodes.port("b"), b.gossipPort());
        assertEquals("127.0.0.1", b.address());
        assertEquals(1, b.incarnation());
        assertTrue(nodes.node("c").isJoined());
        long viewId = nodes.node("a").membership().snapshot().viewId();
        assertEquals(viewId, nodes.node("c").membership().snapshot().viewId());
    }

    @Test
    void theClusterRunsOurTcpStackOnTheConfiguredAddressAndPort() throws Exception {
        GossipManager a = nodes.start("a");
        ProtocolStack stack = a.transport().channel().getProtocolStack();
        TP transport = stack.getTransport();
        assertTrue(transport instanceof TCP, "JGroups' TCP transport (JGroupsStack.ReopenableTcp): " + transport.getClass());
        assertEquals("127.0.0.1", transport.getBindAddress().getHostAddress());
        assertEquals(nodes.port("a"), transport.getBindPort());
        List<String> names = stack.getProtocols().stream()
                .map(p -> p instanceof TCP ? "TCP" : p.getClass().getSimpleName()).toList();
        assertEquals(List.of("FORK", "COMPRESS", "FRAG4", "MFC", "UFC", "GMS", "ProtocolAuth", "STABLE", "UNICAST3", "NAKACK2",
                "VERIFY_SUSPECT2", "FD_ALL3", "CrashWitness", "PromptMerge", "TCPPING", "TCP"), names);
    }

    @Test
    void aMetadataChangeReachesEveryNode() throws Exception {
        startThree();
        nodes.node("b").updateMetadata(Map.of("zone", "z1", "role", "broker"));
        for (String id : List.of("a", "b", "c")) {
            GossipManager n = nodes.node(id);
            Await.until(id + " to see b's metadata", SOON,
                    () -> n.membership().member("b").map(m -> m.metadata().equals(Map.of("zone", "z1", "role", "broker")))
                            .orElse(false));
        }
    }

    @Test
    void aGracefulLeaveIsLeftEverywhere() throws Exception {
        startThree();
        nodes.node("c").leave();
        for (String id : List.of("a", "b")) {
            GossipManager n = nodes.node(id);
            Await.until(id + " to see c LEFT", SOON, () -> n.membership().nodeState("c").orElse(null) == MemberState.LEFT);
            MembershipEvent last = n.membership().events(0).stream().filter(e -> "c".equals(e.node())).reduce((x, y) -> y)
                    .orElseThrow();
            assertEquals(MemberState.LEFT, last.to());
            assertEquals("graceful leave", last.reason());
        }
    }

    @Test
    void aNodeThatVanishesIsFailedAndComesBackAsANewIncarnation() throws Exception {
        startThree();
        nodes.crash("c");
        nodes.awaitState(SOON, "c", MemberState.FAILED);
        for (GossipManager n : nodes.running()) {
            // Its stack closed without a goodbye: the view drops it, or the overlay sees its sockets closed first.
            String reason = n.membership().events(0).stream().filter(e -> "c".equals(e.node())
                    && e.to() == MemberState.FAILED).findFirst().orElseThrow().reason();
            assertTrue(reason.equals("view change") || reason.startsWith("process gone"), reason);
        }
        // The coordinator marks the departure in the cache, with its time, for every node.
        Await.until("the coordinator's FAILED mark", SOON, () -> nodes.node("a").transport().records().get("c").status()
                .departed());

        GossipManager again = nodes.start("c");
        nodes.awaitHealthy(SOON, "a", "b", "c");
        for (GossipManager n : nodes.running()) {
            Await.until(n.selfId() + " to see c's incarnation 2", SOON,
                    () -> n.membership().member("c").map(m -> m.incarnation() == 2).orElse(false));
        }
        assertTrue(nodes.node("a").membership().events(0).stream().anyMatch(e -> "c".equals(e.node())
                && e.from() == MemberState.FAILED && e.to() == MemberState.HEALTHY && e.reason().equals("rejoined")));
        assertNotEquals(again.membership().snapshot().member("c").orElseThrow().transportId(), "");
    }

    @Test
    void aSecondLiveNodeWithTheSameIdIsRefused() throws Exception {
        nodes.start("a");
        LocalNodes twin = new LocalNodes(nodes.node("a").config().clusterName());
        try {
            SettingException e = assertThrows(SettingException.class, () -> twin.start("a",
                    Map.of("sprawl.seeds", "127.0.0.1:" + nodes.port("a"))));
            assertTrue(e.getMessage().startsWith("sprawl.node.id=a is not allowed: a live member at 127.0.0.1:"),
                    e.getMessage());
        } finally {
            twin.close();
        }
        nodes.awaitHealthy(SOON, "a");
    }

    @Test
    void joinWithSeedsAtRunTimeMergesTwoClusters() throws Exception {
        GossipManager alone = nodes.start("a");
        LocalNodes other = new LocalNodes(alone.config().clusterName());
        try {
            other.start("b");
            other.start("c");
            other.awaitHealthy(SOON, "b", "c");
            assertEquals(List.of("a"), LocalNodes.healthyIds(alone));

            assertTrue(alone.join(List.of(new HostPort("127.0.0.1", other.port("b"))), 20_000));
            List<GossipManager> all = List.of(alone, other.node("b"), other.node("c"));
            for (GossipManager n : all) {
                Await.until(n.selfId() + " to see a, b and c", SOON,
                        () -> LocalNodes.healthyIds(n).equals(List.of("a", "b", "c")), () -> n.membership().snapshot().members());
            }
            // Each cluster had its own leader in term 1: one survives, in a term of its own.
            Await.until("one leader in a term above 1", SOON, () -> all.stream()
                    .map(n -> n.leadership().orElseThrow().view())
                    .map(v -> v.leader() + "@" + v.term()).distinct().count() == 1
                    && alone.leadership().orElseThrow().view().leader() != null
                    && alone.leadership().orElseThrow().view().term() > 1,
                    () -> all.stream().map(n -> n.leadership().orElseThrow().view()).toList());
        } finally {
            other.close();
        }
    }

    @Test
    void everyNodeRoutesAKeyToTheSameOwners() throws Exception {
        startThree();
        nodes.start("d");
        nodes.awaitHealthy(SOON, "a", "b", "c", "d");
        List<Router> routers = nodes.running().stream().map(n -> new Router(n.membership()::snapshot, 2, Map::of)).toList();
        for (int i = 0; i < 500; i++) {
            String key = "topic-" + i;
            List<String> owners = ids(routers.get(0).route(key));
            assertEquals(2, owners.size());
            for (Router r : routers) {
                assertEquals(owners, ids(r.route(key)), key);
            }
        }
    }

    @Test
    void messageCountsAddUpAcrossTheCluster() throws Exception {
        startThree();
        for (int i = 0; i < 50; i++) {
            nodes.node("a").addMessageCount(2);
        }
        nodes.node("b").addMessageCount(7);
        assertEquals(100, nodes.node("a").messages().local());
        for (String id : List.of("a", "b", "c")) {
            GossipManager n = nodes.node(id);
            Await.until(id + " to count 107 in all", SOON, () -> n.messages().clusterTotal() == 107,
                    () -> n.messages().byNode());
        }
    }

    private static List<String> ids(List<Member> members) {
        return members.stream().map(Member::id).toList();
    }
}
