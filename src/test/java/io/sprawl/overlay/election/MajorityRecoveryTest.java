package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of an operator's recovery of a lost majority: 5 members agreed, 3 crashed, 2 survive. */
class MajorityRecoveryTest {

    static final Set<String> STABLE = Set.of("t0", "t1", "t2", "t3", "t4");
    static final Set<String> SURVIVORS = Set.of("t0", "t1");
    static final List<Member> TABLE = List.of(member("n0", MemberState.HEALTHY), member("n1", MemberState.HEALTHY),
            member("n2", MemberState.FAILED), member("n3", MemberState.FAILED), member("n4", MemberState.FAILED));

    static Member member(String id, MemberState state) {
        return new Member(id, state, 1, "127.0.0.1", 7800, 9080, "", "", Map.of(), Map.of(), "v", 0, 1, 0, 0, 0,
                "t" + id.substring(1), "1-2");
    }

    @Test
    void theExactLostMembersConfirmedAreLost() throws Exception {
        assertEquals(List.of("n2", "n3", "n4"), MajorityRecovery.check(false, STABLE, SURVIVORS, TABLE,
                Set.of("n4", "n2", "n3")));
    }

    @Test
    void refusedWhileAMajorityIsReachable() {
        assertRefused("majority-reachable", true, SURVIVORS, Set.of("n2", "n3", "n4"));
    }

    @Test
    void refusedForAMemberThisSideCanSee() {
        MajorityRecovery.Refused r = assertRefused("not-lost", false, SURVIVORS, Set.of("n1", "n2", "n3", "n4"));
        assertTrue(r.getMessage().startsWith("n1 is in this node's view"), r.getMessage());
    }

    @Test
    void refusedUnlessEveryMissingMemberIsNamed() {
        MajorityRecovery.Refused r = assertRefused("unconfirmed", false, SURVIVORS, Set.of("n2", "n3"));
        assertTrue(r.getMessage().contains("not confirmed: [n4]"), r.getMessage());
    }

    @Test
    void refusedForANameOutsideTheAgreedMembership() {
        MajorityRecovery.Refused r = assertRefused("not-in-membership", false, SURVIVORS,
                Set.of("n2", "n3", "n4", "n9"));
        assertTrue(r.getMessage().contains("[n2, n3, n4]"), r.getMessage());
    }

    @Test
    void refusedWhenNothingIsMissing() {
        assertRefused("nothing-missing", false, STABLE, Set.of());
    }

    @Test
    void aMemberWithoutARecordIsNamedByItsTransportId() throws Exception {
        List<Member> table = TABLE.subList(0, 4); // n4's record gone (retention ran out)
        assertEquals(List.of("n2", "n3", "t4"), MajorityRecovery.check(false, STABLE, SURVIVORS, table,
                Set.of("n2", "n3", "t4")));
    }

    private static MajorityRecovery.Refused assertRefused(String code, boolean available, Set<String> view,
            Set<String> confirmed) {
        MajorityRecovery.Refused r = assertThrows(MajorityRecovery.Refused.class,
                () -> MajorityRecovery.check(available, STABLE, view, TABLE, confirmed));
        assertEquals(code, r.code(), r.getMessage());
        return r;
    }
}
