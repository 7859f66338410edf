package io.sprawl.overlay.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.infinispan.Cache;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.topology.CacheTopology;

/**
 * Tells when a cache is past a merge: a topology newer than the one it had when the merge view
 * arrived, and not resolving conflicts. What a node writes after a merge (its re-published record,
 * the leader's new term) waits for this: written while Infinispan resolves the merge's conflicts,
 * a value was seen overwritten by the other side's copy on some members and not on others. After
 * {@link #SETTLE_MS} it opens anyway. Any thread; opens once per merge.
 *
 * <p>Why the topology and not {@code ConflictManager.isConflictResolutionInProgress()}: that flag is
 * set only on the member that runs the resolution (the merge coordinator); on every other member it
 * stays false while the cache topology is in its {@code CONFLICT_RESOLUTION} phase, and those are the
 * members whose writes were seen overwritten.
 */
public final class MergeGate {

    /** The longest a write waits for a merge's conflict resolution. */
    static final long SETTLE_MS = 10_000;

    private final Cache<?, ?> cache;
    /** The topology id when the merge view arrived; 0 when no merge is pending. */
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long armedAt;

    public MergeGate(Cache<?, ?> cache) {
        this.cache = cache;
    }

    /** A merge view arrived. */
    public void arm() {
        armedAt = System.nanoTime();
        pending.set(Math.max(1, topology().getTopologyId()));
    }

    public boolean pending() {
        return pending.get() != 0;
    }

    /** True once, when the cache is past the pending merge (or it waited {@link #SETTLE_MS}). */
    public boolean open() {
        int at = pending.get();
        if (at == 0) {
            return false;
        }
        LocalizedCacheTopology t = topology();
        boolean settled = t.getTopologyId() > at && t.getPhase() != CacheTopology.Phase.CONFLICT_RESOLUTION;
        boolean overdue = System.nanoTime() - armedAt > TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        return (settled || overdue) && pending.compareAndSet(at, 0);
    }

    private LocalizedCacheTopology topology() {
        return cache.getAdvancedCache().getDistributionManager().getCacheTopology();
    }
}
