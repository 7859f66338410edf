package io.sprawl.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rolling upgrade on real JGroups channels and Infinispan caches in this JVM: three nodes that speak the
 * previous probe protocol only ({@code sprawl.probe.protocol-version=1}, which is what a node of the first
 * release speaks and reads) and two of this build form one cluster with one table and one leader; every node
 * of this build speaks version 1 to the old ones (each old node hears nothing else) and version 2 among its
 * own kind; then the old ones are replaced one by one, the cluster agreeing after each step.
 */
class RollingUpgradeTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final Map<String, String> OLD = Map.of("sprawl.probe.protocol-version", "1");
    private final LocalNodes nodes = new LocalNodes("upgrade-" + System.nanoTime());

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aMixedClusterAgreesAndTheOldNodesAreReplacedOneByOne() throws Exception {
        List<String> live = new ArrayList<>(List.of("old1", "old2", "old3", "new1", "new2"));
        for (String id : live) {
            nodes.start(id, id.startsWith("old") ? OLD : Map.of());
        }
        awaitAgreement(live);
        Await.until("every node to have heard every peer", T, () -> live.stream().allMatch(id ->
                peersHeard(id, live)), () -> protocols(live));
        for (String id : live) {
            for (String peer : live) {
                if (!peer.equals(id)) {
                    int expected = id.startsWith("old") || peer.startsWith("old") ? 1 : 2;
                    assertEquals(expected, nodes.node(id).detector().orElseThrow().peer(peer).orElseThrow().protocol(),
                            id + " hears " + peer + " in version " + expected + ": " + protocols(live));
                }
            }
            Member self = nodes.node("new1").membership().member(id).orElseThrow();
            assertEquals(id.startsWith("old") ? "1-1" : "1-2", self.protocol(), id + "'s record");
        }
        for (int i = 1; i <= 3; i++) {
            String old = "old" + i;
            nodes.node(old).leave();
            nodes.node(old).close();
            live.remove(old);
            String replacement = "new" + (i + 2);
            nodes.start(replacement);
            live.add(replacement);
            awaitAgreement(live);
        }
        for (String id : live) {
            FailureDetector.Stats s = nodes.node(id).detector().orElseThrow().stats();
            assertEquals(0, s.malformedDropped(), id + " got nothing it could not read");
            assertEquals(0, s.failures(), id + " declared nobody FAILED: " + s);
        }
    }

    /** One table (every live node HEALTHY everywhere) and one leader among the live nodes, on every live node. */
    private void awaitAgreement(List<String> live) {
        String[] sorted = live.stream().sorted().toArray(String[]::new);
        nodes.awaitHealthy(T, sorted);
        Await.until("one leader among " + live, T, () -> {
            List<String> shown = live.stream().map(id -> nodes.node(id).leadership().orElseThrow().view())
                    .map(v -> v.leader() + "@" + v.term()).distinct().toList();
            return shown.size() == 1 && live.contains(shown.get(0).split("@")[0]);
        }, () -> live.stream().map(id -> id + ": " + nodes.node(id).leadership().orElseThrow().view()).toList());
    }

    private boolean peersHeard(String id, List<String> live) {
        FailureDetector d = nodes.node(id).detector().orElseThrow();
        return live.stream().filter(p -> !p.equals(id)).allMatch(p -> d.peer(p).map(x -> x.lastAckAt() > 0)
                .orElse(false));
    }

    private String protocols(List<String> live) {
        return live.stream().map(id -> id + ": " + live.stream().filter(p -> !p.equals(id))
                .map(p -> p + "=" + nodes.node(id).detector().orElseThrow().peer(p).map(
                        FailureDetector.PeerInfo::protocol).orElse(-1))
                .collect(Collectors.joining(","))).collect(Collectors.joining("; "));
    }
}
