package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.MembershipManager;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;

/**
 * This node's message count, exact locally, and published to the cluster so any node can sum the
 * total. At most one publication is in flight: adds that arrive meanwhile are folded into the next
 * one, so a burst of adds costs a couple of messages, not one each. Thread-safe (atomics only).
 */
public final class MessageCounter {

    private static final Logger LOG = Logger.getLogger(MessageCounter.class.getName());

    private final String selfId;
    private final Cache<String, Long> cache;
    private final MembershipManager membership;
    private final LongConsumer onAdd;
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean publishing = new AtomicBoolean();
    private volatile boolean dirty;

    /**
     * @param membership whose live members the totals count
     * @param onAdd      told of every add (the message rate of the metrics)
     */
    public MessageCounter(String selfId, Cache<String, Long> cache, MembershipManager membership, LongConsumer onAdd) {
        this.selfId = selfId;
        this.cache = cache;
        this.membership = membership;
        this.onAdd = onAdd;
    }

    /** Adds {@code n} messages to this node's count; returns the new count. */
    public long add(long n) {
        long v = count.addAndGet(n);
        onAdd.accept(n);
        publish();
        return v;
    }

    /**
     * Publishes the count once, now; at start, before anything else is written. From then on also at each
     * topology change of the cache: after a merge the other side's copy of this node's count may stand (no
     * conflict resolution runs on this cache), and a count that does not move would never be published again.
     */
    public void publishInitial() {
        cache.put(selfId, count.get());
        cache.addListener(new Republish());
    }

    /** Asynchronous: no cache write starts on the thread that installs a topology. */
    @Listener(sync = false, observation = Listener.Observation.POST)
    public final class Republish {
        /** Starts an asynchronous write, no more. */
        @TopologyChanged
        public void topologyChanged(TopologyChangedEvent<String, Long> e) {
            publish();
        }
    }

    /** This node's count. */
    public long local() {
        return count.get();
    }

    /** The last published count of each live member (this node's exact), keyed by node id. */
    public Map<String, Long> byNode() {
        Set<String> live = membership.snapshot().liveIds();
        Map<String, Long> out = new java.util.TreeMap<>(cache);
        out.put(selfId, count.get());
        out.keySet().retainAll(live);
        return out;
    }

    /** The sum over the live members. */
    public long clusterTotal() {
        return byNode().values().stream().mapToLong(Long::longValue).sum();
    }

    private void publish() {
        dirty = true;
        if (!publishing.compareAndSet(false, true)) {
            return; // the publication in flight will see dirty and go again
        }
        dirty = false;
        CompletableFuture<Long> put;
        try {
            put = cache.putAsync(selfId, count.get());
        } catch (RuntimeException e) {
            put = CompletableFuture.failedFuture(e); // the cache stopping: no publication may stay marked in flight
        }
        put.whenComplete((v, e) -> {
            publishing.set(false);
            if (e != null) {
                LOG.info(() -> "message count of " + selfId + " not published (the next add retries): " + e);
            }
            if (dirty) {
                publish();
            }
        });
    }
}
