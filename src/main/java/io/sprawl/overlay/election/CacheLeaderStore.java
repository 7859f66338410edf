package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.ClusterTransport;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CompletionStage;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.IllegalLifecycleStateException;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.partitionhandling.AvailabilityException;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * The leader record in a replicated, synchronous Infinispan cache with {@code DENY_READ_WRITES}:
 * Infinispan decides at each view change whether this side still holds a strict majority of the
 * last stable membership, and denies reads and writes where it does not. Conditional writes
 * ({@code putIfAbsent}, {@code replace(key, old, new)}) are atomic at the key's primary owner, which
 * is what makes one term one leader. Any thread.
 *
 * <p>{@link #quiet} is the other half. A write of a non-transactional cache that fails half-way (a
 * member became unreachable while it ran) stays applied on the owners it reached: in the leader
 * benchmark a claim made while the cut-off side was still in the view reached four of five
 * members, and the fifth, primary after the view change, took the same term again over its stale
 * copy. A term therefore changes only while the cache is quiet ({@link #topology}, {@link TermGuard}).
 *
 * <p>The topology's phase, not {@code ConflictManager.isConflictResolutionInProgress()}, tells a merge in
 * progress: that flag is set only on the member running the resolution, and it is the other members
 * (a former minority reading its stale copy) that must wait.
 *
 * <p>Infinispan 16.1 also resolves conflicts when the coordinator merely crashed (it recovers the cache
 * status as after a merge; infinispan #17620, fixed in 16.3): ~0.9 s in which every member showed "no
 * majority" and no one could claim, though nothing had split. That phase counts as available and quiet
 * when it is no merge: no merge view arrived, and its members are all in the last quiet topology this
 * side saw while available (a side that was unavailable since, a former minority, never takes this
 * path). Infinispan itself allows reads and writes in that phase, and a write made during it wins over
 * the resolution's own.
 */
final class CacheLeaderStore implements LeaderStore {

    static final String KEY = "leader";

    private final AdvancedCache<String, LeaderRecord> cache;
    /** Whether a merge view arrived whose conflicts the cache may still be resolving ({@code MergeGate}). */
    private final BooleanSupplier mergePending;
    /** The last record read while available: what a minority side still knows. */
    private volatile LeaderRecord last;
    /** The members of the last quiet topology seen while available; empty since this side was last unavailable. */
    private volatile Set<Address> lastQuiet = Set.of();

    CacheLeaderStore(Cache<String, LeaderRecord> cache, BooleanSupplier mergePending) {
        this.cache = cache.getAdvancedCache();
        this.mergePending = mergePending;
    }

    /**
     * Available, and not resolving a merge's conflicts: during that phase Infinispan already allows
     * access, but a former minority member still reads its own stale copy of the record.
     */
    @Override
    public boolean available() {
        if (!cache.getStatus().allowInvocations() || cache.getAvailability() != AvailabilityMode.AVAILABLE) {
            lastQuiet = Set.of();
            return false;
        }
        LocalizedCacheTopology topology = cache.getDistributionManager().getCacheTopology();
        if (topology == null) {
            return true;
        }
        if (topology.getPhase() == CacheTopology.Phase.NO_REBALANCE) {
            lastQuiet = Set.copyOf(topology.getMembers());
        }
        return topology.getPhase() != CacheTopology.Phase.CONFLICT_RESOLUTION || afterCoordinatorChange(topology);
    }

    /** A conflict resolution that follows a coordinator's crash, not a merge (see the class comment). */
    private boolean afterCoordinatorChange(LocalizedCacheTopology t) {
        Set<Address> quiet = lastQuiet;
        // Not strictly fewer: a coordinator that leaves gracefully first gets a quiet topology without it.
        return t.getPhase() == CacheTopology.Phase.CONFLICT_RESOLUTION && !mergePending.getAsBoolean()
                && !quiet.isEmpty() && quiet.containsAll(t.getMembers());
    }

    /** The leader cache as {@link TermGuard} sees it: its topology's members, and whether state moves. */
    TermGuard.Cache topology() {
        return new TermGuard.Cache() {
            @Override
            public Set<String> members() {
                LocalizedCacheTopology t = cache.getDistributionManager().getCacheTopology();
                return t == null ? Set.of() : ClusterTransport.transportIds(t.getMembers());
            }

            @Override
            public boolean moving() {
                LocalizedCacheTopology t = cache.getDistributionManager().getCacheTopology();
                return t == null || (t.getPhase() != CacheTopology.Phase.NO_REBALANCE && !afterCoordinatorChange(t));
            }
        };
    }

    @Override
    public LeaderRecord read() {
        try {
            LeaderRecord r = cache.get(KEY);
            last = r;
            return r;
        } catch (AvailabilityException | IllegalLifecycleStateException e) {
            return last;
        }
    }

    /**
     * Infinispan's conflict resolution, run by hand ({@code ConflictManager.resolveConflicts}): every copy of the
     * record is read and the merge policy's choice written to all, as after a merge.
     */
    @Override
    public String reconcile() {
        try {
            ConflictManagerFactory.get(cache).resolveConflicts();
            return "resolved; this node's copy is now term " + (read() == null ? 0 : read().term());
        } catch (RuntimeException e) {
            return "not resolved (" + e + "); the next refusals try again";
        }
    }

    @Override
    public CompletionStage<Boolean> compareAndSet(LeaderRecord expected, LeaderRecord next) {
        if (expected == null) {
            return cache.putIfAbsentAsync(KEY, next).thenApply(previous -> previous == null || previous.equals(next));
        }
        return cache.replaceAsync(KEY, expected, next);
    }
}
