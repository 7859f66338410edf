package io.sprawl.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Duration;
import java.util.List;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failure detector on real JGroups channels, four nodes in this JVM with the default settings:
 * a node cut off at the transport, a node whose overlay stalls while its transport answers, and a
 * short stall that ends in a refutation.
 */
class FailureDetectionTest {

    private static final Duration T = Duration.ofSeconds(20);
    private LocalNodes nodes;

    @BeforeEach
    void startFour() throws Exception {
        nodes = new LocalNodes("fd-" + System.nanoTime());
        for (String id : List.of("a", "b", "c", "d")) {
            nodes.start(id);
        }
        nodes.awaitHealthy(T, "a", "b", "c", "d");
        // Every node's probe rounds running. (The newcomer grace still holds suspicions back for a moment:
        // the tests wait on the states they expect, so it only delays them.)
        for (String id : List.of("a", "b", "c", "d")) {
            Await.until(id + " to probe", T, () -> nodes.node(id).detector().orElseThrow().stats().pingsSent() > 3);
        }
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void aNodeWhoseMessagesAreDroppedGoesSuspectThenFailed() throws Exception {
        DISCARD discard = new DISCARD().discardAll(true);
        nodes.node("d").transport().channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        long cut = System.currentTimeMillis();
        awaitFailed("d", "a", "b", "c");
        for (String observer : List.of("a", "b", "c")) {
            List<MembershipEvent> aboutD = events(observer, "d");
            assertTrue(aboutD.stream().anyMatch(e -> e.to() == MemberState.SUSPECT), observer + ": " + aboutD);
            MembershipEvent suspect = aboutD.stream().filter(e -> e.to() == MemberState.SUSPECT).findFirst().orElseThrow();
            MembershipEvent failed = aboutD.stream().filter(e -> e.to() == MemberState.FAILED).findFirst().orElseThrow();
            assertTrue(suspect.seq() < failed.seq(), observer + ": " + aboutD);
            System.out.println(observer + " saw d SUSPECT " + (suspect.time() - cut) + " ms and FAILED "
                    + (failed.time() - cut) + " ms after the cut (" + failed.reason() + ")");
        }
    }

    @Test
    void aNodeWhoseOverlayStallsIsFailedThoughItsTransportAnswers() throws Exception {
        nodes.pauseProbes("d", true);
        awaitFailed("d", "a", "b", "c");
        for (String observer : List.of("a", "b", "c")) {
            MembershipEvent failed = events(observer, "d").stream().filter(e -> e.to() == MemberState.FAILED)
                    .findFirst().orElseThrow();
            assertTrue(failed.reason().startsWith("suspicion timeout") || failed.reason().contains(" at "),
                    "the detector's verdict, not a view change: " + failed);
        }
        // The transport still answers: JGroups verified d and kept it in the view. An absence, so a window: the
        // verdict asked JGroups to verify d, and VERIFY_SUSPECT2 excludes within its timeout (200 ms); five times
        // that is enough to see an exclusion that was coming.
        Thread.sleep(5 * 200);
        assertEquals(4, nodes.node("a").transport().channel().getView().size(), "d stays in the view");
        assertTrue(nodes.node("d").detector().orElseThrow().stats().unansweredWhileStuck() > 0);
        // Its rounds run again: it hears it was declared failed, refutes, and is HEALTHY as a new incarnation.
        nodes.pauseProbes("d", false);
        nodes.awaitHealthy(T, "a", "b", "c", "d");
        for (String observer : List.of("a", "b", "c")) {
            assertTrue(nodes.node(observer).membership().member("d").orElseThrow().incarnation() >= 2);
        }
    }

    @Test
    void aShortStallEndsInARefutationNotAFailure() throws Exception {
        nodes.pauseProbes("d", true);
        Await.until("someone to suspect d", T, () -> nodes.running().stream()
                .anyMatch(n -> n.membership().nodeState("d").orElse(null) == MemberState.SUSPECT));
        nodes.pauseProbes("d", false);
        long resumed = System.currentTimeMillis();
        nodes.awaitHealthy(T, "a", "b", "c", "d");
        // No FAILED can come after this: a verdict needs a running suspicion, and one ends only in a verdict or in
        // a refutation (HEALTHY again). Each observer showing d HEALTHY with an ack from after the resume holds none.
        for (String observer : List.of("a", "b", "c")) {
            Await.until(observer + " to hear from d after the resume", T, () -> nodes.node(observer).detector()
                    .flatMap(x -> x.peer("d")).map(p -> p.lastAckAt() > resumed).orElse(false));
        }
        for (String observer : List.of("a", "b", "c")) {
            List<MembershipEvent> aboutD = events(observer, "d");
            assertTrue(aboutD.stream().noneMatch(e -> e.to() == MemberState.FAILED), observer + ": " + aboutD);
            assertEquals(MemberState.HEALTHY, nodes.node(observer).membership().nodeState("d").orElseThrow());
        }
        assertTrue(nodes.running().stream().anyMatch(n -> events(n.selfId(), "d").stream()
                .anyMatch(e -> e.from() == MemberState.SUSPECT && e.reason().equals("refuted"))));
    }

    private void awaitFailed(String id, String... observers) {
        for (String o : observers) {
            Await.until(o + " to show " + id + " FAILED", T,
                    () -> nodes.node(o).membership().nodeState(id).orElse(null) == MemberState.FAILED, () -> events(o, id));
        }
    }

    private List<MembershipEvent> events(String observer, String about) {
        return nodes.node(observer).membership().events(0).stream().filter(e -> about.equals(e.node())).toList();
    }
}
