package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.CacheManagerFactory;
import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.cluster.MergeGate;
import io.sprawl.overlay.config.LeaderConfig;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.AvailabilityMode;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.topology.CacheTopology;
import org.infinispan.topology.LocalTopologyManager;

/**
 * One node's election, wired to Infinispan: the replicated leader cache (its configuration, its
 * listener, its merge gate), the term guard over the transport's view, and the {@link Leadership}
 * that runs on the election thread, which this class owns.
 */
public final class Election implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Election.class.getName());

    /** One key, {@link CacheLeaderStore#KEY}: the leader record. */
    public static final String CACHE = "sprawl-leader";
    /** Checks, step-downs and leaves waiting for the election thread; a check is queued once at most. */
    static final int QUEUE = 64;

    private final String selfId;
    private final Leadership leadership;
    private final MergeGate merge;
    private final ExecutorService thread;
    private final AdvancedCache<String, LeaderRecord> cache;
    private final ClusterTransport transport;
    private final Supplier<List<Member>> table;
    private final BiConsumer<String, String> operatorLog;
    /** Owned by the election timer's thread ({@link #tick}). */
    private final UnfinishedMerge unfinished = new UnfinishedMerge();

    private Election(String selfId, Leadership leadership, MergeGate merge, ExecutorService thread,
            Cache<String, LeaderRecord> cache, ClusterTransport transport, Supplier<List<Member>> table,
            BiConsumer<String, String> operatorLog) {
        this.selfId = selfId;
        this.leadership = leadership;
        this.merge = merge;
        this.thread = thread;
        this.cache = cache.getAdvancedCache();
        this.transport = transport;
        this.table = table;
        this.operatorLog = operatorLog;
    }

    /** Defines the leader cache on a cache manager not yet started. */
    public static void define(DefaultCacheManager manager, LeaderConfig config, int segments) {
        manager.defineConfiguration(CACHE, configuration(config, segments));
    }

    static Configuration configuration(LeaderConfig config, int segments) {
        ConfigurationBuilder leader = new ConfigurationBuilder();
        leader.clustering().hash().numSegments(segments);
        leader.clustering().cacheMode(CacheMode.REPL_SYNC)
                // A renewal that takes longer than the lease grants nothing: fail it and try again.
                .remoteTimeout(config.leaseMillis(), TimeUnit.MILLISECONDS)
                // Bounds each conflict resolution (CacheManagerFactory); Infinispan wants it no shorter than the above.
                .stateTransfer().timeout(Math.max(CacheManagerFactory.STATE_TRANSFER_TIMEOUT_MS, config.leaseMillis()),
                        TimeUnit.MILLISECONDS)
                // Only a side with a strict majority of the last stable membership reads or writes the record;
                // after a heal the highest term wins (the minority could not have written one).
                .partitionHandling().whenSplit(PartitionHandling.DENY_READ_WRITES)
                .mergePolicy(new HighestTermMergePolicy());
        leader.statistics().enable();
        return leader.build();
    }

    /**
     * Starts this node's election and queues its first check.
     *
     * @param table   this node's member table
     * @param load    each live member's forecast load in [0, 1]
     * @param provenGone whether a member is FAILED with its process proven gone (the failure detector's)
     * @param previousProcessWaitMillis how long JGroups takes at most to exclude a silent member
     * @param operatorLog where an operator's recovery is recorded (who, what): the node's event history
     */
    public static Election start(String selfId, LeaderConfig config, ClusterTransport transport,
                                 Supplier<List<Member>> table, Supplier<Map<String, Double>> load,
                                 Predicate<String> provenGone, long previousProcessWaitMillis, Clock clock, Leadership.Events events,
                                 BiConsumer<String, String> operatorLog) {
        DefaultCacheManager manager = transport.manager();
        Cache<String, LeaderRecord> cache = manager.getCache(CACHE);
        ExecutorService thread = OwnedExecutors.singleRefusing("sprawl-election-" + selfId, QUEUE);
        MergeGate merge = new MergeGate(cache);
        CacheLeaderStore store = new CacheLeaderStore(cache, merge::pending);
        TermGuard guard = new TermGuard(transport::view, table, provenGone, store.topology(), clock, System::nanoTime,
                previousProcessWaitMillis);
        // Candidates are ordered by declared weight x (1 - forecast load), from the shared metrics snapshots.
        Leadership l = new Leadership(selfId, config, store, table, load, transport::coordinator, provenGone, clock,
                System::nanoTime, thread, events, guard);
        Election e = new Election(selfId, l, merge, thread, cache, transport, table, operatorLog);
        cache.addListener(new LeaderCacheListener(l::recheck, e::afterMerge));
        manager.addListener(new MergeViewListener(e.merge::arm));
        l.recheck();
        return e;
    }

    public Leadership leadership() {
        return leadership;
    }

    /**
     * The election timer's tick: a check, the new term once the cache is past a merge, and the end of a merge
     * Infinispan left unfinished ({@link UnfinishedMerge}).
     */
    public void tick() {
        leadership.recheck();
        afterMerge();
        if ((degraded() || resolving()) && unfinished.due(stableMembers(), transport.view(),
                transport.isCoordinator(), merge.pending(), System.nanoTime())) {
            try {
                thread.execute(this::finishMerge);
            } catch (RejectedExecutionException e) {
                // the election thread is busy: the next tick asks again
            }
        }
    }

    private boolean degraded() {
        return cache.getAvailability() == AvailabilityMode.DEGRADED_MODE;
    }

    /** Whether the leader cache's topology is in its conflict resolution phase, as this node holds it. */
    private boolean resolving() {
        CacheTopology t = cache.getDistributionManager().getCacheTopology();
        return t != null && t.getPhase() == CacheTopology.Phase.CONFLICT_RESOLUTION;
    }

    /** The transport ids of the leader cache's last stable topology, as this node holds it. */
    private Set<String> stableMembers() {
        CacheTopology stable = ComponentRegistry.componentOf(cache, LocalTopologyManager.class)
                .getStableCacheTopology(CACHE);
        return stable == null ? Set.of() : ClusterTransport.transportIds(stable.getMembers());
    }

    /**
     * On the election thread, once more checked: a resolution left pending is run again ({@link ResolutionRestart};
     * it ends the phase and makes the cache available), else a degraded cache is made available; either is said in
     * the log and the history.
     */
    private void finishMerge() {
        Set<String> view = transport.view().members();
        if (!UnfinishedMerge.whole(view, stableMembers())) {
            return;
        }
        String stayed;
        String done;
        if (resolving()) {
            stayed = "in its conflict resolution phase";
            done = ResolutionRestart.restart(cache);
        } else if (degraded()) {
            stayed = "degraded";
            cache.setAvailability(AvailabilityMode.AVAILABLE);
            done = "made it available";
        } else {
            return;
        }
        String what = "the leader cache stayed " + stayed + " for " + UnfinishedMerge.SETTLE_MS / 1000
                + " s in a view that holds every member of the last agreed membership " + nodeIds(table.get(), view)
                + " (Infinispan did not finish a merge): " + done;
        LOG.warning(what);
        operatorLog.accept("sprawl (automatic, at " + selfId + ")", what);
        leadership.recheck();
    }

    /**
     * An operator's recovery of a majority lost to crashes ({@link MajorityRecovery}): when the rules allow it,
     * the leader cache is made available on this side, which then elects. On the election thread (the cache's
     * availability change is a blocking call to the coordinator); completes exceptionally with
     * {@link MajorityRecovery.Refused} when the rules refuse.
     *
     * @param confirmed the node ids the operator confirms are gone for good
     * @param operator  who asks (the API's or JMX's user), for the log and the event history
     */
    public CompletionStage<MajorityRecovery.Outcome> recoverMajority(Set<String> confirmed, String operator) {
        CompletableFuture<MajorityRecovery.Outcome> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    result.complete(recover(confirmed, operator));
                } catch (MajorityRecovery.Refused | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new MajorityRecovery.Refused("busy", "the election thread's queue is full"));
        }
        return result;
    }

    private MajorityRecovery.Outcome recover(Set<String> confirmed, String operator) throws MajorityRecovery.Refused {
        Set<String> stableIds = stableMembers();
        Set<String> view = transport.view().members();
        List<Member> members = table.get();
        List<String> lost = MajorityRecovery.check(cache.getAvailability() == AvailabilityMode.AVAILABLE, stableIds,
                view, members, confirmed);
        Set<String> survivors = nodeIds(members, view);
        cache.setAvailability(AvailabilityMode.AVAILABLE);
        String what = "made the leader cache available on the side of " + survivors + ", confirming " + lost
                + " lost (a majority of the last agreed membership); this side now elects";
        LOG.warning(operator + " " + what + " (asked at " + selfId + ")");
        operatorLog.accept(operator, what);
        leadership.recheck();
        return new MajorityRecovery.Outcome(lost, List.copyOf(survivors), operator);
    }

    /** The node ids of the members in {@code view} (transport ids), sorted. */
    private static Set<String> nodeIds(List<Member> members, Set<String> view) {
        Set<String> out = new TreeSet<>();
        members.stream().filter(m -> view.contains(m.transportId())).forEach(m -> out.add(m.id()));
        return out;
    }

    private void afterMerge() {
        if (merge.open()) {
            leadership.merged();
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
