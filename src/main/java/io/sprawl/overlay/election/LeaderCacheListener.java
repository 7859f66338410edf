package io.sprawl.overlay.election;

import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.PartitionStatusChanged;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.Event;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;

/**
 * Anything that may change the election's answer on the leader cache: the record written, the
 * topology, the availability (a side entering or leaving degraded mode). Synchronous, on the thread
 * that applied the change: it only queues work, never blocks.
 */
@Listener(sync = true, observation = Listener.Observation.POST)
final class LeaderCacheListener {

    private final Runnable recheck;
    private final Runnable topologyChanged;

    LeaderCacheListener(Runnable recheck, Runnable topologyChanged) {
        this.recheck = recheck;
        this.topologyChanged = topologyChanged;
    }

    @CacheEntryCreated
    @CacheEntryModified
    @PartitionStatusChanged
    public void changed(Event<?, ?> e) {
        recheck.run();
    }

    /** A new topology may also end a merge. */
    @TopologyChanged
    public void topologyChanged(TopologyChangedEvent<?, ?> e) {
        recheck.run();
        topologyChanged.run();
    }
}
