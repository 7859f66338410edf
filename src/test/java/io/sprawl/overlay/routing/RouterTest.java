package io.sprawl.overlay.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final int KEYS = 20_000;

    static Member member(String id, MemberState state) {
        return new Member(id, state, 1, "127.0.0.1", 7800, 9080, "", "", Map.of(), Map.of(), "t", 0, 1, 0, 0, 0,
                "t-" + id, "1-2");
    }

    static List<Member> healthy(int n) {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(member("node" + i, MemberState.HEALTHY));
        }
        return out;
    }

    /** Fraction of keys whose owner list changed between two memberships. */
    static double movedFraction(List<Member> before, List<Member> after, int replicas) {
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            String key = "topic-" + k;
            if (!Router.owners(key, before, replicas).equals(Router.owners(key, after, replicas))) {
                moved++;
            }
        }
        return moved / (double) KEYS;
    }

    @Test
    void onlyHealthyMembersOwnKeys() {
        List<Member> table = List.of(member("a", MemberState.HEALTHY), member("b", MemberState.SUSPECT),
                member("c", MemberState.FAILED), member("d", MemberState.LEFT), member("e", MemberState.HEALTHY));
        Router router = new Router(() -> new MembershipSnapshot(1, 0, table), 5, Map::of);
        for (int k = 0; k < 100; k++) {
            List<String> ids = router.route("k" + k).stream().map(Member::id).sorted().toList();
            assertEquals(List.of("a", "e"), ids);
        }
    }

    @Test
    void ownersAreDistinctAndTheReplicaCountIsKept() {
        Router router = new Router(() -> new MembershipSnapshot(1, 0, healthy(5)), 3, Map::of);
        List<Member> owners = router.route("orders");
        assertEquals(3, owners.size());
        assertEquals(3, owners.stream().map(Member::id).distinct().count());
        assertEquals(1, router.route("orders", 1).size());
        assertEquals(owners.get(0), router.route("orders", 1).get(0));
        assertThrows(IllegalArgumentException.class, () -> router.route("orders", 0));
    }

    @Test
    void keysSpreadEvenly() {
        List<Member> ten = healthy(10);
        Map<String, Integer> primaries = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            primaries.merge(Router.owners("topic-" + k, ten, 1).get(0).id(), 1, Integer::sum);
        }
        for (int count : primaries.values()) {
            // Expected 2000 each; binomial sd ~42, so +-10 % is over four sigma.
            assertTrue(Math.abs(count - KEYS / 10) < KEYS / 100, primaries.toString());
        }
    }

    /**
     * A membership change moves only the keys it must. Adding an 11th node to 10 takes each key's
     * primary with probability 1/11 (9.1 %); with 3 replicas a key's owner list changes when the
     * newcomer enters its top 3, 3/11 (27 %). Removing a node moves only the keys it held.
     */
    @Test
    void aMembershipChangeMovesOnlyTheKeysItMust() {
        List<Member> ten = healthy(10);
        List<Member> eleven = healthy(11);
        double joinPrimary = movedFraction(ten, eleven, 1);
        double joinThree = movedFraction(ten, eleven, 3);
        List<Member> nine = new ArrayList<>(ten);
        nine.remove(4);
        double leavePrimary = movedFraction(ten, nine, 1);
        System.out.printf("routing moved fraction: join 10->11 primary %.4f (ideal %.4f), 3 owners %.4f (ideal %.4f);"
                + " leave 10->9 primary %.4f (ideal %.4f)%n", joinPrimary, 1 / 11.0, joinThree, 3 / 11.0,
                leavePrimary, 1 / 10.0);
        assertEquals(1 / 11.0, joinPrimary, 0.01);
        assertEquals(3 / 11.0, joinThree, 0.015);
        assertEquals(1 / 10.0, leavePrimary, 0.01);
    }

    @Test
    void loadOrdersTheOwnersButNeverChangesThem() {
        List<Member> members = healthy(9);
        MembershipSnapshot table = new MembershipSnapshot(1, 0, members);
        Map<String, Double> loads = new HashMap<>();
        Router idle = new Router(() -> table, 3, Map::of);
        Router loaded = new Router(() -> table, 3, () -> loads);
        for (int k = 0; k < 200; k++) {
            String key = "topic-" + k;
            List<Member> byHash = idle.route(key);
            // The first owner gets busy (0.8): a less loaded owner comes first, and the set stays.
            loads.clear();
            loads.put(byHash.get(0).id(), 0.8);
            List<Member> byLoad = loaded.route(key);
            assertEquals(Set.copyOf(byHash), Set.copyOf(byLoad), key);
            assertEquals(byHash.get(1), byLoad.get(0), key);
            assertEquals(byHash.get(0), byLoad.get(2), key);
            // A small difference (same load class) keeps the hash order: load wobbles, routes should not.
            loads.put(byHash.get(0).id(), 0.2);
            loads.put(byHash.get(1).id(), 0.05);
            assertEquals(byHash, loaded.route(key), key);
        }
        assertEquals(0, Router.loadClass(0.0));
        assertEquals(0, Router.loadClass(0.24));
        assertEquals(1, Router.loadClass(0.25));
        assertEquals(3, Router.loadClass(1.0));
        assertEquals(3, Router.loadClass(7.0));
        assertEquals(0, Router.loadClass(-1.0));
    }
}
