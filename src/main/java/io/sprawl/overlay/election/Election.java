package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.cluster.MergeGate;
import io.sprawl.overlay.config.LeaderConfig;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;

/**
 * One node's election, wired to Infinispan: the replicated leader cache (its configuration, its
 * listener, its merge gate), the term guard over the transport's view, and the {@link Leadership}
 * that runs on the election thread, which this class owns.
 */
public final class Election implements AutoCloseable {

    /** One key, {@link CacheLeaderStore#KEY}: the leader record. */
    public static final String CACHE = "sprawl-leader";
    /** Checks, step-downs and leaves waiting for the election thread; a check is queued once at most. */
    static final int QUEUE = 64;

    private final Leadership leadership;
    private final MergeGate merge;
    private final ExecutorService thread;

    private Election(Leadership leadership, MergeGate merge, ExecutorService thread) {
        this.leadership = leadership;
        this.merge = merge;
        this.thread = thread;
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
     * @param previousProcessWaitMillis how long JGroups takes at most to exclude a silent member
     */
    public static Election start(String selfId, LeaderConfig config, ClusterTransport transport,
                                 Supplier<List<Member>> table, Supplier<Map<String, Double>> load,
                                 long previousProcessWaitMillis, Clock clock, Leadership.Events events) {
        DefaultCacheManager manager = transport.manager();
        Cache<String, LeaderRecord> cache = manager.getCache(CACHE);
        ExecutorService thread = OwnedExecutors.single("sprawl-election-" + selfId, QUEUE);
        CacheLeaderStore store = new CacheLeaderStore(cache);
        TermGuard guard = new TermGuard(transport::view, table, store.topology(), clock, System::nanoTime,
                previousProcessWaitMillis);
        // Candidates are ordered by declared weight x (1 - forecast load), from the shared metrics snapshots.
        Leadership l = new Leadership(selfId, config, store, table, load, clock, System::nanoTime, thread, events,
                guard);
        Election e = new Election(l, new MergeGate(cache), thread);
        cache.addListener(new LeaderCacheListener(l::recheck, e::afterMerge));
        manager.addListener(new MergeViewListener(e.merge::arm));
        l.recheck();
        return e;
    }

    public Leadership leadership() {
        return leadership;
    }

    /** The election timer's tick: a check, and the new term once the cache is past a merge. */
    public void tick() {
        leadership.recheck();
        afterMerge();
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
