package io.sprawl.overlay.election;

import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * After a healed partition the leader record with the highest term wins (then the later renewal).
 * Only a side with the majority could write a new term, so this is that side's record; a stale
 * copy the minority kept never overwrites it.
 */
final class HighestTermMergePolicy implements EntryMergePolicy<String, LeaderRecord> {

    @Override
    public CacheEntry<String, LeaderRecord> merge(CacheEntry<String, LeaderRecord> preferred,
                                                  List<CacheEntry<String, LeaderRecord>> others) {
        CacheEntry<String, LeaderRecord> best = preferred;
        for (CacheEntry<String, LeaderRecord> e : others) {
            if (newer(e, best)) {
                best = e;
            }
        }
        return best;
    }

    static boolean newer(CacheEntry<String, LeaderRecord> a, CacheEntry<String, LeaderRecord> b) {
        LeaderRecord x = a == null ? null : a.getValue();
        LeaderRecord y = b == null ? null : b.getValue();
        if (x == null) {
            return false;
        }
        if (y == null) {
            return true;
        }
        return x.term() != y.term() ? x.term() > y.term() : x.renewedAt() > y.renewedAt();
    }
}
