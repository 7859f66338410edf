package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When a term may change, on a moved clock: every view member reachable, the leader cache quiet over that view. */
class TermGuardTest {

    private static final long WAIT = 4_700;

    private final MutableClock clock = new MutableClock(1_000_000);
    private ClusterTransport.ViewSnapshot view = new ClusterTransport.ViewSnapshot(5, Set.of("ta", "tb", "tc"));
    private final List<Member> table = new ArrayList<>(List.of(member("a", MemberState.HEALTHY, 0),
            member("b", MemberState.HEALTHY, 0), member("c", MemberState.HEALTHY, 0)));
    private Set<String> cacheMembers = Set.of("ta", "tb", "tc");
    /** Infinispan's own view: null, the same members as JGroups' (it has taken the view). */
    private Set<String> infinispanView;
    private boolean moving;
    private final Set<String> provenGone = new java.util.HashSet<>();

    private final TermGuard guard = new TermGuard(() -> view, () -> List.copyOf(table), provenGone::contains,
            new TermGuard.Cache() {
        @Override
        public Set<String> members() {
            return cacheMembers;
        }

        @Override
        public boolean moving() {
            return moving;
        }

        @Override
        public Set<String> transportMembers() {
            return infinispanView != null ? infinispanView : view.members();
        }
    }, clock, () -> clock.millis() * 1_000_000L, WAIT);

    private static Member member(String id, MemberState state, long since) {
        return new Member(id, state, 1, "127.0.0.1", 7800, 9080, "", "", Map.of(), Map.of(), "t", 0, 1, 0, since, 0,
                "t" + id, "1-2");
    }

    @Test
    void aQuietCacheOverAReachableViewLetsTheTermChange() {
        assertTrue(guard.getAsBoolean());
    }

    @Test
    void aMemberWhoseProcessIsProvenGoneHoldsNothingBackThoughTheViewAndTheCacheStillListIt() {
        table.set(2, member("c", MemberState.FAILED, clock.millis()));
        assertFalse(guard.getAsBoolean(), "failed, merely: it may be alive behind a cut");
        provenGone.add("c");
        assertTrue(guard.getAsBoolean(), "c exited: its copy of the record died with it");
        view = new ClusterTransport.ViewSnapshot(6, Set.of("ta", "tb")); // excluded; the cache not recovered yet
        assertTrue(guard.getAsBoolean());
        cacheMembers = Set.of("ta", "tb");
        assertTrue(guard.getAsBoolean());
        provenGone.clear();
        view = new ClusterTransport.ViewSnapshot(7, Set.of("ta", "tb", "tc"));
        cacheMembers = Set.of("ta", "tb", "tc");
        assertFalse(guard.getAsBoolean(), "without the proof, failed while still in the view holds it back");
    }

    @Test
    void aFailedMemberStillInTheViewHoldsTermsBackUntilJGroupsWouldHaveExcludedIt() {
        table.set(2, member("c", MemberState.FAILED, clock.millis()));
        assertFalse(guard.getAsBoolean(), "c may still be excluded: a claim now could land half-way");
        clock.advance(WAIT + 1);
        assertTrue(guard.getAsBoolean(), "still in the view after that: its transport answers, a stuck overlay");
        table.remove(2);
        assertFalse(guard.getAsBoolean(), "a view member with no row at all is unreachable");
    }

    @Test
    void everyMemberOfTheViewMustBeInTheCacheWhichMayStillListMembersTheViewDropped() {
        cacheMembers = Set.of("ta", "tb", "tx"); // as many, but not the same ones
        assertFalse(guard.getAsBoolean());
        cacheMembers = Set.of("ta", "tb");
        assertFalse(guard.getAsBoolean(), "tc joined the view and not yet the cache");
        view = new ClusterTransport.ViewSnapshot(6, Set.of("ta", "tb"));
        table.set(2, member("c", MemberState.FAILED, clock.millis()));
        cacheMembers = Set.of("ta", "tb", "tc");
        assertTrue(guard.getAsBoolean(), "tc is out of the view: the cache's topology may follow later");
    }

    @Test
    void aViewInfinispanHasNotTakenYetHoldsTermsBack() {
        view = new ClusterTransport.ViewSnapshot(6, Set.of("ta")); // a side cut off from tb and tc
        table.set(1, member("b", MemberState.FAILED, clock.millis()));
        table.set(2, member("c", MemberState.FAILED, clock.millis()));
        infinispanView = Set.of("ta", "tb", "tc");
        assertFalse(guard.getAsBoolean(), "Infinispan still counts tb and tc: a write would go to them too");
        infinispanView = Set.of("ta");
        assertTrue(guard.getAsBoolean(), "from here the store's majority rule judges this side");
    }

    @Test
    void movingStateHoldsTermsBackUnlessTheViewHasStoodStillLongEnough() {
        moving = true;
        assertFalse(guard.getAsBoolean());
        clock.advance(WAIT - 1);
        assertFalse(guard.getAsBoolean());
        clock.advance(2);
        assertTrue(guard.getAsBoolean(), "a rebalance that never finishes must not block every election");
        view = new ClusterTransport.ViewSnapshot(6, Set.of("ta", "tb", "tc"));
        assertFalse(guard.getAsBoolean(), "a new view starts the wait again");
        cacheMembers = Set.of("ta", "tb");
        clock.advance(WAIT + 1);
        assertFalse(guard.getAsBoolean(), "the escape never overrides the members");
    }
}
