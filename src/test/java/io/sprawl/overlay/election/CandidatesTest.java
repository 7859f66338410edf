package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The election rules: capability order, eligibility, ties, stickiness, step-down. (No leader in a minority: LeadershipTest.) */
class CandidatesTest {

    private static Member member(String id, MemberState state, String site, Map<String, String> capabilities) {
        return new Member(id, state, 1, "127.0.0.1", 7800, 9080, site, "", capabilities, Map.of(), "t", 0, 1, 0, 0, 0,
                "t-" + id, "1-2");
    }

    private static Member healthy(String id, String capabilities) {
        Map<String, String> caps = new java.util.LinkedHashMap<>();
        for (String pair : capabilities.split(",")) {
            if (!pair.isBlank()) {
                caps.put(pair.split("=")[0], pair.split("=")[1]);
            }
        }
        return member(id, MemberState.HEALTHY, "", caps);
    }

    private static Candidates.Decision decide(List<Member> members, String current) {
        return decide(members, current, Map.of(), "", 0.2, Set.of());
    }

    private static Candidates.Decision decide(List<Member> members, String current, Map<String, Double> load,
            String site, double hysteresis, Set<String> notCandidates) {
        return decide(members, current, load, site, hysteresis, notCandidates, true);
    }

    private static Candidates.Decision decide(List<Member> members, String current, Map<String, Double> load,
            String site, double hysteresis, Set<String> notCandidates, boolean mayRebalance) {
        return Candidates.decide(members, current, load, site, hysteresis, notCandidates, mayRebalance, null);
    }

    /**
     * The coordinator counts the hysteresis less unless it leads: a new leader is another member unless the
     * coordinator beats it by that much; a sitting leader that is the coordinator stays; a challenger that is the
     * coordinator must beat the leader by twice the hysteresis.
     */
    @Test
    void theCoordinatorIsChosenOnlyWhenItBeatsTheOthersByTheHysteresis() {
        List<Member> m = List.of(healthy("a", ""), healthy("b", ""), healthy("c", ""));
        Map<String, Double> load = Map.of("a", 0.1, "b", 0.2, "c", 0.3);
        assertEquals("a", Candidates.decide(m, null, load, "", 0.2, Set.of(), true, null).leader(), "by score");
        assertEquals("b", Candidates.decide(m, null, load, "", 0.2, Set.of(), true, "t-a").leader(),
                "a, the coordinator, scores 0.9 - 0.2 against b's 0.8");
        assertEquals("a", Candidates.decide(m, null, Map.of("a", 0.1, "b", 0.4, "c", 0.5), "", 0.2, Set.of(), true,
                "t-a").leader(), "0.9 - 0.2 beats 0.6");
        assertEquals("a", Candidates.decide(m, "a", load, "", 0.2, Set.of(), true, "t-a").leader(),
                "a sitting leader that is the coordinator stays");
        assertEquals("b", Candidates.decide(List.of(healthy("a", "weight=1.3"), healthy("b", "")), "b",
                Map.of(), "", 0.2, Set.of(), true, "t-a").leader(), "1.3 - 0.2 is not 0.2 above 1");
        assertEquals("a", Candidates.decide(List.of(healthy("a", "weight=1.3"), healthy("b", "")), "b",
                Map.of(), "", 0.2, Set.of(), true, null).leader(), "without the coordinator rule a would take over");
        assertEquals("a", Candidates.decide(List.of(healthy("a", ""), healthy("b", "leader-eligible=false")), null,
                Map.of(), "", 0.2, Set.of(), true, "t-a").leader(), "the coordinator, when no one else is eligible");
    }

    @Test
    void theHighestDeclaredWeightLeads() {
        List<Member> m = List.of(healthy("a", ""), healthy("b", "weight=3"), healthy("c", "weight=2"));
        Candidates.Decision d = decide(m, null);
        assertEquals("b", d.leader());
        assertTrue(d.reason().startsWith("elected b"), d.reason());
    }

    @Test
    void anIneligibleMemberNeverLeadsHoweverHeavy() {
        List<Member> m = List.of(healthy("a", "leader-eligible=false,weight=9"), healthy("b", ""), healthy("c", ""));
        assertEquals("b", decide(m, null).leader());
        assertEquals("b", decide(m, "a").leader(), "an ineligible sitting leader is replaced");
        List<Member> none = List.of(healthy("a", "leader-eligible=false"), healthy("b", "leader-eligible=FALSE"));
        Candidates.Decision d = decide(none, null);
        assertNull(d.leader());
        assertEquals("no eligible healthy member", d.reason());
    }

    @Test
    void tiesGoToTheSmallestIdOnEveryNode() {
        List<Member> m = new ArrayList<>(List.of(healthy("n3", ""), healthy("n1", ""), healthy("n2", "")));
        assertEquals("n1", decide(m, null).leader());
        java.util.Collections.reverse(m);
        assertEquals("n1", decide(m, null).leader(), "the table's order does not matter");
    }

    @Test
    void loadLowersTheScore() {
        List<Member> m = List.of(healthy("a", "weight=2"), healthy("b", "weight=2"));
        assertEquals("b", decide(m, null, Map.of("a", 0.9), "", 0.2, Set.of()).leader());
    }

    @Test
    void aHealthyLeaderIsNotReplacedBySlightlyBetter() {
        List<Member> m = List.of(healthy("a", "weight=1"), healthy("b", "weight=1.1"), healthy("c", ""));
        Candidates.Decision d = decide(m, "a");
        assertEquals("a", d.leader(), "10 % better is within the 20 % hysteresis");
        assertEquals("kept: a is HEALTHY", d.reason());
        List<Member> much = List.of(healthy("a", "weight=1"), healthy("b", "weight=2"), healthy("c", ""));
        Candidates.Decision replaced = decide(much, "a");
        assertEquals("b", replaced.leader());
        assertTrue(replaced.reason().startsWith("replaced a: b scores 2.00 against 1.00"), replaced.reason());
    }

    @Test
    void nearSaturationSmallLoadDifferencesDoNotMoveTheLeader() {
        List<Member> m = List.of(healthy("a", ""), healthy("b", ""));
        // Scores 0.02 and 0.10: five times as high, but only 0.08 apart. A ratio would hand over.
        assertEquals("a", decide(m, "a", Map.of("a", 0.98, "b", 0.90), "", 0.2, Set.of()).leader());
        assertEquals("b", decide(m, "a", Map.of("a", 0.98, "b", 0.50), "", 0.2, Set.of()).leader());
        assertEquals("a", decide(m, "a", Map.of("a", 0.98, "b", 0.50), "", 0.2, Set.of(), false)
                .leader(), "within its minimum tenure the leader stays");
        List<Member> sites = List.of(healthy("a", ""), member("b", MemberState.HEALTHY, "dc2", Map.of()));
        assertEquals("b", decide(sites, "a", Map.of(), "dc2", 0.2, Set.of(), false).leader(),
                "the preferred site does not wait for the tenure");
    }

    @Test
    void aSuspectLeaderKeepsLeadingAFailedOneIsReplaced() {
        List<Member> m = new ArrayList<>(List.of(member("a", MemberState.SUSPECT, "", Map.of()), healthy("b", ""),
                healthy("c", "")));
        assertEquals("a", decide(m, "a").leader(), "a false suspicion must not move the leadership");
        m.set(0, member("a", MemberState.FAILED, "", Map.of()));
        Candidates.Decision d = decide(m, "a");
        assertEquals("b", d.leader());
        assertTrue(d.reason().contains("a is FAILED"), d.reason());
    }

    @Test
    void aLeaderThatSteppedDownIsNotChosenAgainAtOnce() {
        List<Member> m = List.of(healthy("a", "weight=3"), healthy("b", ""), healthy("c", "weight=2"));
        assertEquals("a", decide(m, "a").leader());
        Candidates.Decision d = decide(m, "a", Map.of(), "", 0.2, Set.of("a"));
        assertEquals("c", d.leader(), "the best of the others");
        assertEquals("c", decide(m, "c", Map.of(), "", 0.2, Set.of("a")).leader(),
                "nor does it take the leadership back while the record names it stepped down");
    }

    @Test
    void departedMembersNeverLead() {
        List<Member> m = List.of(member("a", MemberState.LEFT, "", Map.of("weight", "9")),
                member("b", MemberState.FAILED, "", Map.of("weight", "9")), healthy("c", ""));
        assertEquals("c", decide(m, null).leader());
        assertEquals("c", decide(m, "b").leader());
    }

    @Test
    void thePreferredSiteLeadsAndTakesOver() {
        List<Member> m = List.of(member("a", MemberState.HEALTHY, "dc1", Map.of("weight", "5")),
                member("b", MemberState.HEALTHY, "dc2", Map.of()), member("c", MemberState.HEALTHY, "dc2", Map.of()));
        assertEquals("b", decide(m, null, Map.of(), "dc2", 0.2, Set.of()).leader());
        Candidates.Decision d = decide(m, "a", Map.of(), "dc2", 0.2, Set.of());
        assertEquals("b", d.leader());
        assertTrue(d.reason().contains("preferred site dc2"), d.reason());
        assertEquals("a", decide(m, null, Map.of(), "", 0.2, Set.of()).leader(), "no preference: weight");
    }
}
