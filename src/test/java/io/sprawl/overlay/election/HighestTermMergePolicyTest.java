package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.container.entries.ImmortalCacheEntry;
import org.junit.jupiter.api.Test;

/** After a heal the leader record with the highest term survives, whichever side Infinispan prefers. */
class HighestTermMergePolicyTest {

    private final HighestTermMergePolicy policy = new HighestTermMergePolicy();

    private static CacheEntry<String, LeaderRecord> entry(String leader, long term, long renewedAt) {
        return new ImmortalCacheEntry(CacheLeaderStore.KEY, new LeaderRecord(leader, term, 0, renewedAt, "", false, ""));
    }

    @Test
    void theHighestTermWinsWhereverItIs() {
        CacheEntry<String, LeaderRecord> minority = entry("a", 3, 900);
        CacheEntry<String, LeaderRecord> majority = entry("b", 4, 100);
        assertEquals("b", policy.merge(minority, List.of(majority)).getValue().leader(),
                "the preferred entry (the larger side's) is not kept for being preferred");
        assertEquals("b", policy.merge(majority, List.of(minority)).getValue().leader());
        assertEquals(5, policy.merge(minority, List.of(majority, entry("c", 5, 0), entry("d", 2, 9_999)))
                .getValue().term());
    }

    @Test
    void withinOneTermTheLaterRenewalWins() {
        CacheEntry<String, LeaderRecord> older = entry("a", 4, 100);
        CacheEntry<String, LeaderRecord> newer = entry("a", 4, 200);
        assertSame(newer, policy.merge(older, List.of(newer)));
        assertSame(newer, policy.merge(newer, List.of(older)));
    }

    @Test
    void anyRecordBeatsNone() {
        CacheEntry<String, LeaderRecord> some = entry("a", 1, 1);
        assertSame(some, policy.merge(null, List.of(some)));
        assertSame(some, policy.merge(some, java.util.Arrays.asList((CacheEntry<String, LeaderRecord>) null)));
        assertNull(policy.merge(null, List.of()));
    }
}
