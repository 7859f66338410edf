package io.sprawl.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.election.Election;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.infinispan.Cache;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The election on real JGroups channels and Infinispan caches, five nodes in this JVM: the leader
 * cut off (to the others, a crash), and a 3+2 partition with the leader in the two, then healed.
 * JGroups' DISCARD makes the faults: it drops what a node receives from the other side.
 */
class LeaderElectionClusterTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final List<String> IDS = List.of("a", "b", "c", "d", "e");
    private LocalNodes nodes;

    @BeforeEach
    void startFive() throws Exception {
        nodes = new LocalNodes("leader-" + System.nanoTime());
        for (String id : IDS) {
            nodes.start(id);
        }
        nodes.awaitHealthy(T, IDS.toArray(String[]::new));
        awaitOneLeader(IDS);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aCutOffLeaderIsReplacedWithAHigherTermAndShowsNoLeaderItself() {
        Leadership.View before = view("a");
        String old = before.leader();
        nodes.cut(old, IDS);
        List<String> survivors = IDS.stream().filter(id -> !id.equals(old)).toList();
        Leadership.View after = awaitOneLeader(survivors, before.term());
        assertNotEquals(old, after.leader());
        assertTrue(after.term() > before.term(), before + " then " + after);
        Await.until(old + " to see it has no majority", T, () -> !view(old).majority());
        assertNull(view(old).leader());
        assertFalse(nodes.node(old).leadership().orElseThrow().isLeader(), "its lease ran out");
        for (String id : survivors) {
            List<MembershipEvent> changes = leaderEvents(id);
            assertEquals(after.leader(), changes.get(changes.size() - 1).node(), id + ": " + changes);
            assertEquals(after.term(), changes.get(changes.size() - 1).term());
        }
    }

    @Test
    void onlyTheMajorityOfASplitHasALeaderAndTheHealLeavesOneLeaderAndOneTable() throws Exception {
        String oldLeader = view("a").leader();
        long oldTerm = view("a").term();
        List<String> two = new ArrayList<>(List.of(oldLeader));
        two.add(IDS.stream().filter(id -> !id.equals(oldLeader)).findFirst().orElseThrow());
        List<String> three = IDS.stream().filter(id -> !two.contains(id)).toList();
        List<DISCARD> discards = nodes.split(two, three);

        Leadership.View majority = awaitOneLeader(three, oldTerm);
        assertTrue(three.contains(majority.leader()));
        assertTrue(majority.term() > oldTerm);
        for (String id : two) {
            Await.until(id + " to report no leader", T, () -> !view(id).majority() && view(id).leader() == null,
                    () -> view(id));
            assertTrue(view(id).reason().startsWith("no majority"), view(id).reason());
        }
        assertFalse(nodes.node(oldLeader).leadership().orElseThrow().isLeader());
        // A count that moves on the smaller side only: after the heal the bigger side's copy of it is stale.
        String counter = two.get(1);
        long counted = nodes.node(counter).addMessageCount(7);

        for (String id : IDS) {
            nodes.node(id).transport().channel().getProtocolStack().removeProtocol(DISCARD.class);
        }
        discards.clear();
        long healed = System.currentTimeMillis();
        Leadership.View merged = awaitOneLeader(IDS);
        nodes.awaitHealthy(T, IDS.toArray(String[]::new));
        Await.until("one table on all five", T, () -> IDS.stream().map(id -> LocalNodes.table(nodes.node(id)))
                .distinct().count() == 1, () -> IDS.stream().collect(Collectors.toMap(id -> id,
                        id -> LocalNodes.table(nodes.node(id)))));
        Await.until(counter + "'s count, added while cut off, on all five", T, () -> IDS.stream().allMatch(
                id -> Long.valueOf(counted).equals(nodes.node(id).messages().byNode().get(counter))),
                () -> IDS.stream().collect(Collectors.toMap(id -> id, id -> nodes.node(id).messages().byNode())));
        System.out.println("healed: one leader " + merged.leader() + " (term " + merged.term() + ") and one table in "
                + (System.currentTimeMillis() - healed) + " ms");
        assertTrue(merged.term() >= majority.term(), "the majority's term survives the merge: " + merged);
        // Each side's history is kept: the minority's own loss of the majority, and the majority's verdicts.
        for (String id : two) {
            assertTrue(leaderEvents(id).stream().anyMatch(e -> e.node() == null && e.reason().startsWith("no majority")),
                    id + ": " + leaderEvents(id));
        }
        for (String id : three) {
            assertTrue(nodes.node(id).membership().events(0).stream().anyMatch(e -> two.get(0).equals(e.node())
                    && e.to() == io.sprawl.overlay.membership.MemberState.FAILED), id);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Infinispan left the leader cache degraded in a whole view (a merge it did not finish, here forced by
     * hand): after the settle the coordinator makes it available, records it in its history, and a leader reigns.
     */
    @Test
    void aLeaderCacheLeftDegradedInAWholeViewIsMadeAvailableAgain() {
        GossipManager any = nodes.node("c");
        Cache<Object, Object> leaderCache = any.transport().cache(Election.CACHE);
        leaderCache.getAdvancedCache().setAvailability(AvailabilityMode.DEGRADED_MODE);
        Await.until("every node to show no majority", T, () -> IDS.stream().noneMatch(id -> view(id).majority()));
        Await.until("the leader cache available again", Duration.ofSeconds(40),
                () -> leaderCache.getAdvancedCache().getAvailability() == AvailabilityMode.AVAILABLE,
                () -> leaderCache.getAdvancedCache().getAvailability());
        awaitOneLeader(IDS);
        List<String> automatic = IDS.stream().flatMap(id -> nodes.node(id).membership().events(0).stream())
                .filter(e -> MembershipEvent.OPERATOR.equals(e.type()) && e.node().startsWith("sprawl (automatic"))
                .map(MembershipEvent::reason).toList();
        assertEquals(1, automatic.size(), "the coordinator's history records it, once: " + automatic);
        assertTrue(automatic.get(0).contains("every member of the last agreed membership"), automatic.get(0));
    }

    private Leadership.View view(String id) {
        return nodes.node(id).leadership().orElseThrow().view();
    }

    /** Waits until these nodes show one leader (not null) and one term, and returns that view. */
    private Leadership.View awaitOneLeader(List<String> ids) {
        return awaitOneLeader(ids, 0);
    }

    /** ... of a term above {@code aboveTerm}. */
    private Leadership.View awaitOneLeader(List<String> ids, long aboveTerm) {
        Await.until(ids + " to show one leader above term " + aboveTerm, T, () -> {
            List<String> shown = ids.stream().map(id -> view(id).leader() + "@" + view(id).term()).distinct().toList();
            return shown.size() == 1 && !shown.get(0).startsWith("null") && view(ids.get(0)).term() > aboveTerm;
        }, this::views);
        Leadership.View v = view(ids.get(0));
        Await.until(v.leader() + " to hold its lease", T, () -> nodes.node(v.leader()).leadership().orElseThrow()
                .isLeader());
        return v;
    }

    private Map<String, Leadership.View> views() {
        Map<String, Leadership.View> out = new TreeMap<>();
        for (String id : IDS) {
            if (nodes.node(id).transportUp()) {
                out.put(id, view(id));
            }
        }
        return out;
    }

    private List<MembershipEvent> leaderEvents(String id) {
        return nodes.node(id).membership().events(0).stream().filter(MembershipEvent::concernsLeader).toList();
    }
}
