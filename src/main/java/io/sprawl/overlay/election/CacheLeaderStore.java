package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.ClusterTransport;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.commons.IllegalLifecycleStateException;
import org.infinispan.context.Flag;
import org.infinispan.distribution.LocalizedCacheTopology;
import org.infinispan.functional.FunctionalMap;
import org.infinispan.functional.impl.FunctionalMapImpl;
import org.infinispan.functional.impl.ReadWriteMapImpl;
import org.infinispan.marshall.core.MarshallableFunctions;
import org.infinispan.partitionhandling.AvailabilityException;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.remoting.transport.Address;
import org.infinispan.topology.CacheTopology;

/**
 * The leader record in a replicated, synchronous Infinispan cache with {@code DENY_READ_WRITES}:
 * Infinispan decides at each view change whether this side still holds a strict majority of the
 * last stable membership, and denies reads and writes where it does not; until it has processed a view,
 * this side counts as available only if its view holds a majority of the last quiet topology. Conditional writes
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
    /** The same cache's functional face: reads the key's primary owner's copy. */
    private final FunctionalMap.ReadWriteMap<String, LeaderRecord> primary;
    /** Whether a merge view arrived whose conflicts the cache may still be resolving ({@code MergeGate}). */
    private final BooleanSupplier mergePending;
    /** The last record read while available: what a minority side still knows. */
    private volatile LeaderRecord last;
    /** The members of the last quiet topology seen while available; empty since this side was last unavailable. */
    private volatile Set<Address> lastQuiet = Set.of();

    CacheLeaderStore(Cache<String, LeaderRecord> cache, BooleanSupplier mergePending) {
        this.cache = cache.getAdvancedCache();
        this.primary = ReadWriteMapImpl.create(FunctionalMapImpl.create(this.cache));
        this.mergePending = mergePending;
    }

    /**
     * Available, with a majority of the last quiet topology in this node's view ({@link #majorityInView}), and not
     * resolving a merge's conflicts: during that phase Infinispan already allows access, but a former minority
     * member still reads its own stale copy of the record.
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
        if (!majorityInView()) {
            return false;
        }
        return topology.getPhase() != CacheTopology.Phase.CONFLICT_RESOLUTION || afterCoordinatorChange(topology);
    }

    /**
     * Whether this node's view holds a strict majority of the last quiet topology's members. Infinispan enters
     * degraded mode only when it processes the view, and until then it takes writes among the members left: in the
     * leader benchmark a leader cut off with three others installed their view of four, renewed its lease among them
     * and acted 1.1 s longer, while the five, past its lease, had elected (the sampler's two lease holders).
     */
    private boolean majorityInView() {
        return holdsMajority(cache.getCacheManager().getMembers(), lastQuiet);
    }

    /** A strict majority of {@code quiet} is in {@code view} (no quiet topology seen yet: nothing to hold). */
    static boolean holdsMajority(Collection<?> view, Set<?> quiet) {
        if (quiet.isEmpty()) {
            return true;
        }
        long inView = view.stream().filter(quiet::contains).count();
        return 2 * inView > quiet.size();
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

            @Override
            public Set<String> transportMembers() {
                List<Address> members = cache.getCacheManager().getMembers();
                return members == null ? Set.of() : ClusterTransport.transportIds(members);
            }
        };
    }

    @Override
    public String owner() {
        LocalizedCacheTopology t = cache.getDistributionManager().getCacheTopology();
        return t == null ? "" : String.valueOf(t.getDistribution(KEY).primary());
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
     * Makes every copy one: the key's primary owner's, or this node's own where that holds a later term. Reads the
     * primary's copy and replaces it, a conditional write like the claims, so a claim taken meanwhile refuses it
     * rather than being overwritten. Infinispan's own {@code ConflictManager.resolveConflicts}, used before, reads
     * every copy and then puts its choice unconditionally: a claim landing between the two was lost while its
     * claimant acted on it. Never the lower term: the primary's copy alone, written over a later one, took the
     * record from term 4 back to 3 in the leader benchmark (a claim taken while two killed members were still in
     * the view, and a new primary that had not received it). Blocks the election thread for two remote timeouts
     * at most.
     */
    @Override
    public String reconcile() {
        long timeout = 2 * cache.getCacheConfiguration().clustering().remoteTimeout();
        try {
            LeaderRecord held = primaryCopy().get(timeout, TimeUnit.MILLISECONDS);
            if (held == null) {
                return "not done (the primary owner holds no record); the next refusals try again";
            }
            LeaderRecord own = cache.withFlags(Flag.CACHE_MODE_LOCAL).get(KEY);
            boolean later = own != null && own.term() > held.term();
            if (later && topology().moving()) {
                // Taking the later term is a change of term, and terms change only while the cache is quiet.
                return "not done (this node's copy holds a later term, and the cache is moving); the next refusals"
                        + " try again";
            }
            LeaderRecord keep = later ? own : held;
            String whose = later ? "this node's, a later term than the primary's" : "the primary owner's";
            return cache.replaceAsync(KEY, held, keep).get(timeout, TimeUnit.MILLISECONDS)
                    ? "every copy is now " + whose + " (term " + keep.term() + ")"
                    : "the record changed meanwhile, and that write reached every copy";
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable why = e instanceof ExecutionException ? e.getCause() : e;
            return "not done (" + why + "); the next refusals try again";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not done (interrupted)";
        }
    }

    @Override
    public CompletionStage<Boolean> compareAndSet(LeaderRecord expected, LeaderRecord next) {
        if (expected == null) {
            return cache.putIfAbsentAsync(KEY, next).thenApply(previous -> previous == null || previous.equals(next));
        }
        return cache.replaceAsync(KEY, expected, next);
    }

    /**
     * Reads the record where conditional writes are decided ({@link #primaryCopy}) and replaces that copy if it
     * names the expected leader and term. The dead leader may have been the primary itself, its last renewal
     * reaching some members and not others: the copies then differ in the renewal time only, and claims expecting
     * their own copy were refused until the copies were made one (the first leader crash of the leader benchmark,
     * 4.2 and 5.4 s instead of ~0.5 s). Any other write between the read and the replace (another claim) changes
     * the primary's copy, and the replace fails: still one leader per term.
     */
    @Override
    public CompletionStage<Boolean> replaceTerm(LeaderRecord expected, LeaderRecord next) {
        return primaryCopy().thenCompose(held -> held.term() == expected.term()
                && held.leader().equals(expected.leader())
                ? cache.replaceAsync(KEY, held, next) : CompletableFuture.completedFuture(false));
    }

    /**
     * The record as the key's primary owner holds it: a read-write command that writes nothing runs there, where
     * conditional writes are decided. Fails when the record is absent there.
     */
    private CompletableFuture<LeaderRecord> primaryCopy() {
        return primary.eval(KEY, MarshallableFunctions.<String, LeaderRecord>returnReadWriteGet());
    }
}
