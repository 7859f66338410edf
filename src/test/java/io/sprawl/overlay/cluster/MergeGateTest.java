package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LocalNodes;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The merge gate on a real replicated cache: closed until the cache has a topology newer than the one
 * it had when armed (here a join moves it, as the merge's rebalance does), then open exactly once.
 */
class MergeGateTest {

    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void opensOnceWhenTheCacheIsPastTheTopologyItWasArmedIn() throws Exception {
        try (LocalNodes nodes = new LocalNodes("gate-" + System.nanoTime())) {
            nodes.start("a");
            nodes.start("b");
            nodes.awaitHealthy(T, "a", "b");
            MergeGate gate = new MergeGate(nodes.node("a").transport().records());
            assertFalse(gate.pending());
            assertFalse(gate.open(), "not armed: nothing to open");

            gate.arm();
            assertTrue(gate.pending());
            assertFalse(gate.open(), "the same topology: still closed");
            // Nothing moves the topology during this check, and 10 s (the overdue bound) is far off.
            assertFalse(gate.open());

            nodes.start("c");
            Await.until("the gate to open after the join's new topology", T, gate::open);
            assertFalse(gate.pending());
            assertFalse(gate.open(), "it opens once per merge");
        }
    }

    @Test
    void opensAnywayWhenTheMergeNeverSettles() throws Exception {
        try (LocalNodes nodes = new LocalNodes("gate-" + System.nanoTime())) {
            nodes.start("a");
            nodes.awaitHealthy(T, "a");
            MergeGate gate = new MergeGate(nodes.node("a").transport().records());
            gate.arm();
            assertFalse(gate.open());
            // A lone node's topology never moves: only the overdue bound opens the gate.
            Await.until("the gate to open after " + MergeGate.SETTLE_MS + " ms", Duration.ofMillis(MergeGate.SETTLE_MS * 3),
                    gate::open);
        }
    }
}
