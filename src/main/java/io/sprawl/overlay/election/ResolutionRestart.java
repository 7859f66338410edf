package io.sprawl.overlay.election;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import org.infinispan.Cache;
import org.infinispan.conflict.ConflictManagerFactory;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.topology.CacheTopology;
import org.infinispan.topology.ClusterCacheStatus;
import org.infinispan.topology.ClusterTopologyManager;
import org.infinispan.topology.ClusterTopologyManagerImpl;

/**
 * Runs a merge's conflict resolution again, on the coordinator, for a cache Infinispan left in its
 * {@code CONFLICT_RESOLUTION} phase. Infinispan 16.1 leaves a resolution that failed on a suspected member
 * pending "until a new view" (ClusterCacheStatus), but only its PreferAvailabilityStrategy restarts one on a
 * view; under DENY_READ_WRITES (PreferConsistencyStrategy) it stays pending for good: the phase never ends, no
 * rebalance runs, and the overlay, which takes no term while a merge is being resolved, has no leader. A CI run
 * after a minute of 30 % loss on every link was read as ending so (five HEALTHY members, the leader cache made
 * AVAILABLE ({@link UnfinishedMerge}), every node without a majority for two minutes); the one traced since had
 * another cause, a resolution stuck behind another (below).
 *
 * <p>The attempt is Infinispan's own, queued again with the same topology: on success Infinispan ends the
 * phase, makes the cache available (it only resolves a merge it found a majority for; the caller asks only when
 * the view holds every member of the last agreed membership) and runs the rebalances it held back. No API
 * reaches a cache's cluster status, so it is read from the topology manager's private map; a later Infinispan
 * that renames it makes {@link #restart} say so and do nothing.
 *
 * <p>Nothing is queued while a resolution is still running: Infinispan runs a cache's resolutions one at a time,
 * so a restart would only wait behind it, and each one queued there runs later on a stale topology. A resolution
 * stuck on replicas that never come (a FaultSuiteIT run: one among two members, with the whole cluster's queued
 * behind it) ends at the cache's state transfer timeout ({@code CacheManagerFactory.STATE_TRANSFER_TIMEOUT_MS});
 * the next restart, a settle later, finds it gone.
 */
final class ResolutionRestart {

    private ResolutionRestart() {
    }

    /**
     * Queues the cache's conflict resolution again; on the coordinator (elsewhere Infinispan keeps no cluster
     * status and nothing happens). Returns what was done, for the log.
     */
    static String restart(Cache<?, ?> cache) {
        if (ConflictManagerFactory.get(cache.getAdvancedCache()).isConflictResolutionInProgress()) {
            return "left the conflict resolution of " + cache.getName() + " still running here to end (within "
                    + cache.getCacheConfiguration().clustering().stateTransfer().timeout() / 1000 + " s)";
        }
        ClusterCacheStatus status;
        try {
            status = clusterStatus(cache);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "could not reach Infinispan's cluster status of " + cache.getName() + " (" + e + ")";
        }
        CacheTopology t = status == null ? null : status.getCurrentTopology();
        if (t == null) {
            return "no cluster status of " + cache.getName() + " here (not the coordinator)";
        }
        status.queueConflictResolution(t, Set.copyOf(t.getMembers()));
        return "queued the conflict resolution of " + cache.getName() + " again, topology " + t.getTopologyId()
                + " " + t.getMembers();
    }

    private static ClusterCacheStatus clusterStatus(Cache<?, ?> cache) throws ReflectiveOperationException {
        ClusterTopologyManager manager = GlobalComponentRegistry.componentOf(cache.getCacheManager(),
                ClusterTopologyManager.class);
        Field f = ClusterTopologyManagerImpl.class.getDeclaredField("cacheStatusMap");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(manager)).get(cache.getName()) instanceof ClusterCacheStatus s ? s : null;
    }
}
