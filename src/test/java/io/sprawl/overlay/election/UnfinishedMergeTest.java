package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sprawl.overlay.cluster.ClusterTransport.ViewSnapshot;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a degraded leader cache in a whole view is made available: the rule, on a simulated clock. */
class UnfinishedMergeTest {

    private static final Set<String> STABLE = Set.of("a", "b", "c", "d", "e");
    private static final ViewSnapshot WHOLE = new ViewSnapshot(7, Set.of("a", "b", "c", "d", "e"));
    private static final long SETTLE = TimeUnit.MILLISECONDS.toNanos(UnfinishedMerge.SETTLE_MS);

    @Test
    void aWholeViewThatStaysDegradedIsMadeAvailableByItsCoordinatorAfterTheSettle() {
        UnfinishedMerge u = new UnfinishedMerge();
        assertEquals(false, u.due(STABLE, WHOLE, true, false, 0));
        assertEquals(false, u.due(STABLE, WHOLE, true, false, SETTLE - 1));
        assertEquals(true, u.due(STABLE, WHOLE, true, false, SETTLE));
        assertEquals(false, u.due(STABLE, WHOLE, true, false, SETTLE + 1), "once per settle");
        assertEquals(true, u.due(STABLE, WHOLE, true, false, 2 * SETTLE), "still unfinished: again");
    }

    @Test
    void aNewViewStartsTheWaitAgain() {
        UnfinishedMerge u = new UnfinishedMerge();
        u.due(STABLE, WHOLE, true, false, 0);
        ViewSnapshot next = new ViewSnapshot(8, WHOLE.members());
        assertEquals(false, u.due(STABLE, next, true, false, SETTLE));
        assertEquals(true, u.due(STABLE, next, true, false, 2 * SETTLE));
    }

    @Test
    void neverWhileAMemberOfTheLastAgreedMembershipIsMissingNorOffTheCoordinatorNorDuringAMerge() {
        // Row: stable, view members, coordinator, merge pending. Each is asked again after twice the settle.
        Object[][] rows = {
            {STABLE, Set.of("a", "b", "c"), true, false},               // a majority without d and e: the operator's call
            {STABLE, Set.of("a", "b", "c", "d"), true, false},          // one missing is still one missing
            {STABLE, WHOLE.members(), false, false},                    // not the coordinator
            {STABLE, WHOLE.members(), true, true},                      // Infinispan is still merging
            {Set.of(), WHOLE.members(), true, false},                   // no stable topology known
        };
        for (Object[] row : rows) {
            UnfinishedMerge u = new UnfinishedMerge();
            @SuppressWarnings("unchecked")
            ViewSnapshot view = new ViewSnapshot(7, (Set<String>) row[1]);
            @SuppressWarnings("unchecked")
            Set<String> stable = (Set<String>) row[0];
            u.due(stable, view, (boolean) row[2], (boolean) row[3], 0);
            assertEquals(false, u.due(stable, view, (boolean) row[2], (boolean) row[3], 2 * SETTLE),
                    Arrays.toString(row));
        }
    }

    @Test
    void joinersBesideTheWholeStableMembershipDoNotStopIt() {
        UnfinishedMerge u = new UnfinishedMerge();
        ViewSnapshot withJoiner = new ViewSnapshot(9, Set.of("a", "b", "c", "d", "e", "f"));
        u.due(STABLE, withJoiner, true, false, 0);
        assertEquals(true, u.due(STABLE, withJoiner, true, false, SETTLE));
    }
}
