package io.sprawl.overlay.cluster;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.Cache;

/**
 * This node's message count, exact locally, and published to the cluster so any node can sum the
 * total. At most one publication is in flight: adds that arrive meanwhile are folded into the next
 * one, so a burst of adds costs a couple of messages, not one each. Thread-safe (atomics only).
 */
final class MessageCounter {

    private final String selfId;
    private final Cache<String, Long> cache;
    private final AtomicLong count = new AtomicLong();
    private final AtomicBoolean publishing = new AtomicBoolean();
    private volatile boolean dirty;

    MessageCounter(String selfId, Cache<String, Long> cache) {
        this.selfId = selfId;
        this.cache = cache;
    }

    long add(long n) {
        long v = count.addAndGet(n);
        publish();
        return v;
    }

    /** Publishes the count once, now; at start, before anything else is written. */
    void publishInitial() {
        cache.put(selfId, count.get());
    }

    long local() {
        return count.get();
    }

    /** Every node's last published count (this node's exact), keyed by node id. */
    Map<String, Long> byNode() {
        Map<String, Long> out = new java.util.TreeMap<>(cache);
        out.put(selfId, count.get());
        return out;
    }

    private void publish() {
        dirty = true;
        if (!publishing.compareAndSet(false, true)) {
            return; // the publication in flight will see dirty and go again
        }
        dirty = false;
        cache.putAsync(selfId, count.get()).whenComplete((v, e) -> {
            publishing.set(false);
            if (dirty) {
                publish();
            }
        });
    }
}
