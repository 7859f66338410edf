package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.metrics.MetricNames;
import io.sprawl.overlay.metrics.MetricsManager;
import io.sprawl.overlay.metrics.MetricsSnapshot;
import java.time.Clock;
import java.util.Collections;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.context.Flag;

/**
 * Every node's latest metrics snapshot, in the replicated cache {@code sprawl-metrics}: this node
 * publishes its own at the publish interval, and reads everyone's for the API, for routing and for
 * the election's load input. Thread-safe: the cache is, and the rest is immutable.
 */
public final class MetricsSharing {

    private static final Logger LOG = Logger.getLogger(MetricsSharing.class.getName());

    /** A snapshot older than this many publish intervals is stale: its node stopped publishing (or sampling is off). */
    static final int STALE_AFTER_INTERVALS = 3;

    private final String selfId;
    private final Cache<String, MetricsSnapshot> cache;
    /**
     * The same cache read on this node only. A clustered cache's {@code entrySet()} and {@code keySet()} are
     * the whole cluster's, a distributed iteration with remote calls and retries while state moves; every
     * member of a replicated cache holds every entry, so the local copy is the whole, and a read of it never
     * waits on the network. The election reads loads at every check on its one thread.
     */
    private final Cache<String, MetricsSnapshot> localCopy;
    private final MetricsManager local;
    private final MembershipManager membership;
    private final Clock clock;
    private final long staleAfterMillis;

    public MetricsSharing(String selfId, Cache<String, MetricsSnapshot> cache, MetricsManager local,
                          MembershipManager membership, Clock clock, int publishIntervalMillis) {
        this.selfId = selfId;
        this.cache = cache;
        this.localCopy = cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL);
        this.local = local;
        this.membership = membership;
        this.clock = clock;
        this.staleAfterMillis = (long) STALE_AFTER_INTERVALS * publishIntervalMillis;
    }

    /** Shares this node's latest snapshot; asynchronous, and a failure only logged (the next one replaces it). */
    public void publish() {
        MetricsSnapshot s = local.snapshot();
        if (s.time() == 0) {
            return; // nothing sampled yet
        }
        cache.putAsync(selfId, s).whenComplete((v, e) -> {
            if (e != null) {
                LOG.info(() -> "metrics snapshot of " + selfId + " not shared (the next one replaces it): " + e);
            }
        });
    }

    /** The latest snapshot of every member in the table, departed ones within the retention included (this node's own is the local, latest one). */
    public Map<String, MetricsSnapshot> byNode() {
        Set<String> members = tableIds();
        Map<String, MetricsSnapshot> out = new TreeMap<>();
        for (Map.Entry<String, MetricsSnapshot> e : Map.copyOf(localCopy).entrySet()) {
            if (members.contains(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        MetricsSnapshot mine = local.snapshot();
        if (mine.time() > 0) {
            out.put(selfId, mine);
        }
        return out;
    }

    /** Each live member's forecast load (0-1), from the published snapshots: see {@link #loads(Map, Set, long, long)}. */
    public Map<String, Double> loads() {
        Set<String> live = membership.snapshot().liveIds();
        return loads(Map.copyOf(localCopy), live, clock.millis(), staleAfterMillis);
    }

    /**
     * Each live member's forecast load (0-1), from its published snapshot when that is no older than
     * {@code staleAfterMillis} and its forecaster has warmed up. A member without one (a newcomer, or one
     * that stopped publishing) counts as the busiest known one: unknown must not look idle, or every join
     * would draw the leadership and the traffic to the newcomer. Empty when no load is known at all
     * (sampling off everywhere).
     *
     * <p>Warmed up means its first forecast came due (the snapshot has a forecast error): before that the
     * trend, multiplied by the horizon, is a few noisy samples of a server's start. A node restarted in a
     * rolling restart forecast 0.00 against its busy peers' 0.99 this way and drew the leadership.
     *
     * <p>This node's own load as published too, not its latest sample: every node then decides on the
     * same figures (a fresher own load against the others' older ones was seen to make each leader in
     * turn hand over).
     */
    static Map<String, Double> loads(Map<String, MetricsSnapshot> published, Set<String> live, long now,
            long staleAfterMillis) {
        Map<String, Double> out = new HashMap<>();
        published.forEach((id, s) -> {
            Double forecast = s.figures().get(MetricNames.LOAD_FORECAST);
            boolean warm = s.figures().containsKey(MetricNames.LOAD_FORECAST_ERROR);
            if (live.contains(id) && forecast != null && warm && now - s.time() <= staleAfterMillis) {
                out.put(id, forecast);
            }
        });
        if (!out.isEmpty()) {
            double busiest = Collections.max(out.values());
            live.forEach(id -> out.putIfAbsent(id, busiest));
        }
        return out;
    }

    /** Coordinator only: removes the snapshots of nodes no longer in the member table. */
    public void prune() {
        Set<String> members = tableIds();
        for (String id : List.copyOf(localCopy.keySet())) {
            if (!members.contains(id)) {
                cache.removeAsync(id);
            }
        }
    }

    private Set<String> tableIds() {
        Set<String> ids = new HashSet<>();
        membership.members().forEach(m -> ids.add(m.id()));
        return ids;
    }
}
