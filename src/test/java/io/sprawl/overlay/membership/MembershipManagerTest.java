package io.sprawl.overlay.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.MutableClock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The member table's rules, under a simulated clock and hand-made views and records. */
class MembershipManagerTest {

    private static final long RETENTION = TimeUnit.MINUTES.toMillis(10);

    private final MutableClock clock = new MutableClock(1_000_000);
    private final MembershipManager table = new MembershipManager("a", clock, RETENTION, 100);

    @AfterEach
    void close() {
        table.close();
    }

    private static MemberRecord record(String id, String transport, long incarnation, long revision) {
        return new MemberRecord(id, transport, "127.0.0.1", 7800, 9080, "test", 1, incarnation, "", "", Map.of(),
                Map.of(), revision, 1, RecordStatus.ALIVE, 0);
    }

    private MemberState state(String id) {
        return table.nodeState(id).orElse(null);
    }

    private MembershipEvent lastEvent() {
        List<MembershipEvent> all = table.events(0);
        return all.get(all.size() - 1);
    }

    @Test
    void memberInViewWithRecordIsHealthy() {
        table.viewChanged(1, Set.of("ta", "tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        assertEquals(MemberState.HEALTHY, state("b"));
        assertEquals(new MembershipEvent(1, clock.millis(), "b", null, MemberState.HEALTHY, "joined", 1),
                lastEvent());
        assertEquals(1, table.snapshot().viewId());
    }

    @Test
    void aRecordThatArrivesBeforeItsViewIsHealthyWhenTheViewComes() {
        table.viewChanged(1, Set.of("ta"));
        table.recordChanged(record("b", "tb", 1, 1)); // the cache was faster than this node's view
        assertEquals(MemberState.FAILED, state("b"));
        table.viewChanged(2, Set.of("ta", "tb"));
        assertEquals(MemberState.HEALTHY, state("b"));
        assertEquals("joined", lastEvent().reason());
        table.viewChanged(3, Set.of("ta"));
        table.viewChanged(4, Set.of("ta", "tb"));
        assertEquals(MemberState.FAILED, state("b"), "a member that was in the view and left waits for its record");
    }

    @Test
    void metadataUpdateChangesTheRowButIsNoTransition() {
        table.viewChanged(1, Set.of("tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        table.recordChanged(record("b", "tb", 1, 1).withMetadata(Map.of("zone", "z1"), 5));
        assertEquals(Map.of("zone", "z1"), table.member("b").orElseThrow().metadata());
        assertEquals(1, table.events(0).size());
    }

    @Test
    void leavingTheViewIsFailedAtOnce() {
        table.viewChanged(1, Set.of("ta", "tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        clock.advance(7);
        table.viewChanged(2, Set.of("ta"));
        assertEquals(MemberState.FAILED, state("b"));
        MembershipEvent e = lastEvent();
        assertEquals(MemberState.HEALTHY, e.from());
        assertEquals("view change", e.reason());
        assertEquals(clock.millis(), table.member("b").orElseThrow().stateSince());
    }

    @Test
    void goodbyeThenLeavingTheViewIsLeftNotFailed() {
        table.viewChanged(1, Set.of("ta", "tb"));
        MemberRecord b = record("b", "tb", 1, 1);
        table.recordChanged(b);
        table.recordChanged(b.leaving(10));
        assertEquals(MemberState.LEFT, state("b"));
        table.viewChanged(2, Set.of("ta"));
        assertEquals(MemberState.LEFT, state("b"));
        assertEquals("graceful leave", lastEvent().reason());
        assertEquals(2, table.events(0).size());
    }

    @Test
    void aNewProcessIsANewIncarnationWhateverTheOldState() {
        table.viewChanged(1, Set.of("tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        table.viewChanged(2, Set.of());
        table.viewChanged(3, Set.of("tb2"));
        table.recordChanged(record("b", "tb2", 2, 1));
        Member b = table.member("b").orElseThrow();
        assertEquals(MemberState.HEALTHY, b.state());
        assertEquals(2, b.incarnation());
        MembershipEvent e = lastEvent();
        assertEquals(MemberState.FAILED, e.from());
        assertEquals("rejoined", e.reason());
        assertEquals(2, e.incarnation());
    }

    @Test
    void aStaleRecordIsIgnored() {
        table.viewChanged(1, Set.of("tb2"));
        table.recordChanged(record("b", "tb2", 2, 3));
        table.recordChanged(record("b", "tb", 1, 9)); // the old process, late
        table.recordChanged(record("b", "tb2", 2, 2)); // an older revision
        Member b = table.member("b").orElseThrow();
        assertEquals(2, b.incarnation());
        assertEquals(3, b.revision());
        assertEquals(1, table.events(0).size());
    }

    @Test
    void aRecordOutsideTheViewIsShownDepartedWithTheCoordinatorsTime() {
        table.viewChanged(1, Set.of("ta"));
        MemberRecord marked = record("b", "tb", 1, 1).departed(clock.millis() - 5_000);
        table.recordChanged(marked);
        Member b = table.member("b").orElseThrow();
        assertEquals(MemberState.FAILED, b.state());
        assertEquals(clock.millis() - 5_000, b.stateSince());
        assertEquals("not in view", lastEvent().reason());
    }

    @Test
    void theCoordinatorsMarkKeepsTheEarlierLocalTime() {
        table.viewChanged(1, Set.of("tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        table.viewChanged(2, Set.of());
        long seen = clock.millis();
        clock.advance(300);
        table.recordChanged(record("b", "tb", 1, 1).departed(clock.millis()));
        assertEquals(seen, table.member("b").orElseThrow().stateSince());
        assertEquals(2, table.events(0).size());
    }

    @Test
    void departedMembersAreDroppedAfterTheRetentionOnly() {
        table.viewChanged(1, Set.of("tb", "tc"));
        table.recordChanged(record("b", "tb", 1, 1));
        table.recordChanged(record("c", "tc", 1, 1));
        table.viewChanged(2, Set.of("tc"));
        clock.advance(RETENTION - 1);
        assertEquals(List.of(), table.expire());
        assertEquals(MemberState.FAILED, state("b"));
        clock.advance(1);
        assertEquals(List.of("b"), table.expire());
        assertFalse(table.member("b").isPresent());
        assertEquals(MemberState.HEALTHY, state("c"));
    }

    @Test
    void aMarkOlderThanTheRetentionIsNotShownAtAll() {
        table.viewChanged(1, Set.of());
        table.recordChanged(record("b", "tb", 1, 1).departed(clock.millis() - RETENTION));
        assertFalse(table.member("b").isPresent());
    }

    @Test
    void aFailedMarkOnALiveMemberInOurViewDoesNotFailIt() {
        table.viewChanged(1, Set.of("tb"));
        MemberRecord b = record("b", "tb", 1, 1);
        table.recordChanged(b);
        table.recordChanged(b.departed(clock.millis())); // written by the other side of a healed partition
        assertEquals(MemberState.HEALTHY, state("b"));
        table.recordChanged(b.reincarnated(0, clock.millis()));
        assertEquals(2, table.member("b").orElseThrow().incarnation());
    }

    @Test
    void theDetectorSuspectsFailsAndOnlyAHigherIncarnationRevives() {
        table.viewChanged(1, Set.of("tb"));
        MemberRecord b = record("b", "tb", 1, 1);
        table.recordChanged(b);
        table.suspect("b", 0, "direct timeout");
        assertEquals(MemberState.HEALTHY, state("b"), "a stale incarnation is ignored");
        table.suspect("b", 1, "indirect timeout");
        assertEquals(MemberState.SUSPECT, state("b"));
        assertEquals("indirect timeout", lastEvent().reason());
        table.alive("b", 1, "refuted");
        assertEquals(MemberState.SUSPECT, state("b"), "the suspected incarnation cannot refute itself");
        table.alive("b", 2, "refuted");
        assertEquals(MemberState.HEALTHY, state("b"));
        assertEquals("refuted", lastEvent().reason());
        assertEquals(2, lastEvent().incarnation());
        assertEquals(2, table.member("b").orElseThrow().incarnation(), "ahead of its record (#1)");

        table.failed("b", 2, "suspicion timeout (indirect timeout)");
        assertEquals(MemberState.FAILED, state("b"));
        MemberRecord withMetadata = b.withMetadata(java.util.Map.of("k", "v"), clock.millis());
        table.recordChanged(withMetadata);
        assertEquals(MemberState.FAILED, state("b"), "a metadata write of an old incarnation does not revive");
        table.recordChanged(withMetadata.reincarnated(3, clock.millis()));
        assertEquals(MemberState.HEALTHY, state("b"));
        assertEquals(3, table.member("b").orElseThrow().incarnation());

        table.viewChanged(2, Set.of());
        assertEquals(MemberState.FAILED, state("b"));
        table.alive("b", 9, "refuted");
        assertEquals(MemberState.FAILED, state("b"), "out of the view, only a new process comes back");
    }

    @Test
    void listenersHearEveryTransitionInOrder() throws Exception {
        List<MembershipEvent> heard = new CopyOnWriteArrayList<>();
        table.addListener(heard::add);
        table.viewChanged(1, Set.of("tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        table.viewChanged(2, Set.of());
        for (int i = 0; i < 100 && heard.size() < 2; i++) {
            Thread.sleep(10);
        }
        assertEquals(table.events(0), heard);
    }

    @Test
    void theHistoryIsBounded() {
        MembershipManager small = new MembershipManager("a", clock, RETENTION, 10);
        try {
            for (int i = 0; i < 30; i++) {
                small.viewChanged(i, Set.of("t" + i));
                small.recordChanged(record("n" + i, "t" + i, 1, 1));
            }
            List<MembershipEvent> kept = small.events(0);
            assertEquals(10, kept.size());
            assertEquals(kept.get(9).seq() - 9, kept.get(0).seq());
            assertTrue(small.events(kept.get(9).seq()).isEmpty());
        } finally {
            small.close();
        }
    }

    // ---- the rejoin hold-down ---------------------------------------------------------------------

    /** b, in the view, FAILED by the detector at this incarnation, and a second later refuting with the next. */
    private static void failAndRefute(MembershipManager t, MutableClock clock, long incarnation) {
        failAndRefuteAfter(t, clock, "b", incarnation, 1_000);
    }

    /** id FAILED by the detector at this incarnation, and {@code millis} later refuting with the next. */
    private static void failAndRefuteAfter(MembershipManager t, MutableClock clock, String id, long incarnation,
            long millis) {
        t.failed(id, incarnation, "suspicion timeout");
        clock.advance(millis);
        t.alive(id, incarnation + 1, "refuted");
    }

    /** a's table of five in one view, b to e HEALTHY, with this rejoin hold-down. */
    private MembershipManager fiveMembers(long holdDownMillis) {
        MembershipManager t = new MembershipManager("a", clock, RETENTION, 100, holdDownMillis);
        t.viewChanged(1, Set.of("ta", "tb", "tc", "td", "te"));
        for (String id : List.of("b", "c", "d", "e")) {
            t.recordChanged(record(id, "t" + id, 1, 1));
        }
        return t;
    }

    @Test
    void aProcessThatKeepsFailingIsHeldOutLongerEachTimeAndANewProcessIsNot() {
        MembershipManager t = new MembershipManager("a", clock, RETENTION, 100, 5_000);
        t.viewChanged(1, Set.of("ta", "tb", "tc"));
        t.recordChanged(record("b", "tb", 1, 1));
        t.recordChanged(record("c", "tc", 1, 1)); // healthy throughout: b is the one that flaps
        failAndRefute(t, clock, 1);
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(), "the first failure: taken back at once");

        failAndRefute(t, clock, 2); // the second within 10 min: held 5 s from its return
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow());
        clock.advance(4_000);
        t.expire();
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow(), "still held");
        clock.advance(1_000);
        t.expire();
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow());
        assertEquals(3, t.member("b").orElseThrow().incarnation(), "taken back at the incarnation it refuted with");
        List<MembershipEvent> all = t.events(0);
        assertEquals("rejoined after a hold-down of 5 s (2 failures in 10 min)", all.get(all.size() - 1).reason());

        failAndRefute(t, clock, 3); // the third: 10 s
        clock.advance(9_999);
        t.expire();
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow());
        clock.advance(1);
        t.expire();
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow());

        // A held member that drops out of the view was not back: its hold starts again at its next return.
        failAndRefute(t, clock, 4); // the fourth: 20 s
        clock.advance(15_000);
        t.viewChanged(2, Set.of("ta", "tc"));
        t.viewChanged(3, Set.of("ta", "tb", "tc"));
        clock.advance(10_000);
        t.expire();
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow(), "its refutation was before it dropped out");
        t.alive("b", 6, "refuted");
        clock.advance(19_999);
        t.expire();
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow());
        clock.advance(1);
        t.expire();
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow());

        // A restart is a new process: never held, its history starts over.
        t.failed("b", 6, "process gone");
        t.viewChanged(4, Set.of("ta", "tb2", "tc"));
        t.recordChanged(record("b", "tb2", 7, 1));
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow());
        failAndRefute(t, clock, 7);
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(), "the new process's first failure");
        t.close();
    }

    @Test
    void aHeldReturnByRecordKeepsTheNewerRecord() {
        MembershipManager t = new MembershipManager("a", clock, RETENTION, 100, 5_000);
        t.viewChanged(1, Set.of("ta", "tb", "tc"));
        t.recordChanged(record("b", "tb", 1, 1));
        t.recordChanged(record("c", "tc", 1, 1)); // healthy throughout: b is the one that flaps
        failAndRefute(t, clock, 1);
        t.viewChanged(2, Set.of("ta", "tc")); // its second failure: a partition
        t.viewChanged(3, Set.of("ta", "tb", "tc")); // healed: it re-publishes with a new incarnation and metadata
        t.recordChanged(record("b", "tb", 5, 2).withMetadata(Map.of("zone", "z2"), 3));
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow());
        clock.advance(5_000);
        t.expire();
        Member b = t.member("b").orElseThrow();
        assertEquals(MemberState.HEALTHY, b.state());
        assertEquals(Map.of("zone", "z2"), b.metadata());
        assertEquals(5, b.incarnation());
        t.close();
    }

    @Test
    void membersThatFailTogetherAreAPartitionAndTheirHealIsNeverHeld() {
        MembershipManager t = fiveMembers(5_000);
        for (int cut = 1; cut <= 4; cut++) { // the same side, d and e, cut off and healed four times
            t.viewChanged(2L * cut, Set.of("ta", "tb", "tc"));
            clock.advance(20_000);
            t.viewChanged(2L * cut + 1, Set.of("ta", "tb", "tc", "td", "te")); // the merge view
            t.recordChanged(record("d", "td", cut + 1, cut + 1)); // each re-publishes itself
            clock.advance(5_000); // e's record comes seconds later: what counts is that they failed together
            t.recordChanged(record("e", "te", cut + 1, cut + 1));
            assertEquals(MemberState.HEALTHY, t.nodeState("d").orElseThrow(), "cut " + cut);
            assertEquals(MemberState.HEALTHY, t.nodeState("e").orElseThrow(), "cut " + cut);
            clock.advance(20_000);
        }
        // One of them failing alone, twice, is a flapping node again (once the cuts are a minute past: two others
        // failing within the last minute would mean lossy links everywhere, and no one is held then).
        clock.advance(60_000);
        failAndRefute(t, clock, 10);
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(), "b's first failure");
        clock.advance(5_000);
        failAndRefute(t, clock, 11);
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow(), "b's second failure of its own: held");
        t.close();
    }

    @Test
    void whenMostMembersKeepFailingTheLinksAreLossyEverywhereAndNoneIsHeld() {
        MembershipManager t = fiveMembers(5_000);
        // Loss on every link: c and d fail on their own twice each (seconds apart, so no partition), then b.
        for (long round = 1; round <= 2; round++) {
            for (String id : List.of("c", "d")) {
                failAndRefuteAfter(t, clock, id, round, 4_000);
            }
        }
        assertEquals(MemberState.FAILED, t.nodeState("d").orElseThrow(), "c, and d, flapping alone: held");
        clock.advance(5_000);
        t.expire();
        assertEquals(MemberState.HEALTHY, t.nodeState("d").orElseThrow(), "d's hold is over");
        failAndRefute(t, clock, 1);
        clock.advance(4_000);
        failAndRefute(t, clock, 2);
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(),
                "b's second failure, with c and d (2 of the 3 others) flapping too: taken back at once");
        t.close();
    }

    @Test
    void aHeldMemberIsTakenBackEarlyOnceMostOthersFlapToo() {
        MembershipManager t = fiveMembers(60_000);
        for (String id : List.of("b", "c", "d")) { // b flaps alone and is held a minute; then c (held); then d too
            for (long round = 1; round <= 2; round++) {
                failAndRefuteAfter(t, clock, id, round, 4_000);
            }
        }
        assertEquals(MemberState.FAILED, t.nodeState("b").orElseThrow(), "b, held");
        assertEquals(MemberState.HEALTHY, t.nodeState("d").orElseThrow(), "d: b and c flap too, not held");
        t.expire();
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(), "b, long before its minute is over");
        List<MembershipEvent> all = t.events(0);
        assertTrue(all.stream().anyMatch(e -> e.node().equals("b") && e.reason().equals("rejoined before the end of"
                + " its hold-down: 2 of the 3 other members failed in the last minute too (lossy links"
                + " everywhere, not its own)")), all.toString());
        t.close();
    }

    @Test
    void aNodeThatSeesMostOthersFailedHoldsNoneOfThemOut() {
        MembershipManager t = new MembershipManager("a", clock, RETENTION, 100, 5_000);
        t.viewChanged(1, Set.of("ta", "tb"));
        t.recordChanged(record("b", "tb", 1, 1)); // its only peer: when b fails, it is a that is alone
        failAndRefute(t, clock, 1);
        failAndRefute(t, clock, 2);
        assertEquals(MemberState.HEALTHY, t.nodeState("b").orElseThrow(), "a cut-off node takes its peers back");
        t.close();
    }

    @Test
    void withTheHoldDownOffAFlappingProcessIsTakenBackEveryTime() {
        table.viewChanged(1, Set.of("ta", "tb"));
        table.recordChanged(record("b", "tb", 1, 1));
        for (long i = 1; i <= 4; i++) {
            failAndRefute(table, clock, i);
            assertEquals(MemberState.HEALTHY, state("b"));
        }
    }
}
