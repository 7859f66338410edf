package io.sprawl.overlay.ee;

import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.node.GossipManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the node's health checks decide, in one place, so MicroProfile Health ({@code /health/*})
 * and the seed-compatible {@code /overlay/health} always agree. Each verdict names its cause when down.
 */
@ApplicationScoped
public class NodeHealth {

    /** Housekeeping ticks every second; ten missed ticks mean the node's timers are stuck. */
    static final long STUCK_AFTER_MILLIS = 10 * HousekeepingTimer.INTERVAL_MILLIS;

    @Inject
    OverlayNode node;

    @Inject
    HousekeepingTimer housekeeping;

    @Inject
    ProbeTimer probes;

    @Inject
    ElectionTimer election;

    @Inject
    MetricsTimer sampling;

    public record Verdict(boolean up, Map<String, Object> data) {
    }

    /** Started: the settings are valid and the node joined the cluster. */
    public Verdict started() {
        Map<String, Object> data = new LinkedHashMap<>();
        node.startupError().ifPresent(e -> data.put("cause", e));
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            data.putIfAbsent("cause", "the overlay node is not running");
            return new Verdict(false, data);
        }
        data.put("node", g.selfId());
        return new Verdict(true, data);
    }

    /**
     * Ready: joined (in the view, own record in the table), the transport up, and on the side with
     * the majority unless {@code sprawl.leader.minority-ready}.
     */
    public Verdict ready() {
        Verdict started = started();
        if (!started.up()) {
            return started;
        }
        GossipManager g = node.gossip().orElseThrow();
        Map<String, Object> data = new LinkedHashMap<>(started.data());
        data.put("viewId", g.membership().snapshot().viewId());
        data.put("liveMembers", g.membership().snapshot().live().size());
        if (!g.transportUp()) {
            data.put("cause", "the cluster transport is down");
            return new Verdict(false, data);
        }
        if (!g.isJoined()) {
            data.put("cause", "this node is not in its own member table as a live member");
            return new Verdict(false, data);
        }
        Leadership l = g.leadership().orElse(null);
        if (l != null) {
            data.put("majority", l.inMajority());
            if (!l.inMajority() && !g.config().leader().minorityReady()) {
                data.put("cause", "this node is on a side without the majority: it has no leader"
                        + " (sprawl.leader.minority-ready=false)");
                return new Verdict(false, data);
            }
        }
        return new Verdict(true, data);
    }

    /**
     * Live: the housekeeping, probe, election and metrics timers fire, the election thread completes its
     * checks, and no thread is deadlocked. A node that did not start is live (restarting will not help).
     */
    public Verdict live() {
        Map<String, Object> data = new LinkedHashMap<>();
        if (node.gossip().isPresent()) {
            long since = System.currentTimeMillis() - Math.max(node.startedAt(), housekeeping.lastTick());
            data.put("housekeepingAgoMillis", since);
            if (since > STUCK_AFTER_MILLIS) {
                data.put("cause", "the housekeeping timer has not fired for " + since + " ms");
                return new Verdict(false, data);
            }
            long lastRound = probes.lastTick();
            if (probes.running() && lastRound > 0) {
                long roundAgo = System.currentTimeMillis() - lastRound;
                data.put("probeRoundAgoMillis", roundAgo);
                if (roundAgo > STUCK_AFTER_MILLIS) {
                    data.put("cause", "the probe timer has not fired for " + roundAgo + " ms");
                    return new Verdict(false, data);
                }
            }
            long lastCheck = node.gossip().flatMap(GossipManager::leadership).map(Leadership::lastCheckAt).orElse(0L);
            if (election.running() && lastCheck > 0) {
                long checkAgo = System.currentTimeMillis() - lastCheck;
                data.put("electionCheckAgoMillis", checkAgo);
                if (checkAgo > STUCK_AFTER_MILLIS) {
                    data.put("cause", "the election has not completed a check for " + checkAgo + " ms");
                    return new Verdict(false, data);
                }
            }
        }
        long lastSample = sampling.lastTick();
        if (node.gossip().isPresent() && sampling.running() && lastSample > 0) {
            long sampleAgo = System.currentTimeMillis() - lastSample;
            data.put("metricsSampleAgoMillis", sampleAgo);
            // Sampling may be set as slow as once a minute: stuck means ten missed samples, and at least 10 s.
            long limit = Math.max(STUCK_AFTER_MILLIS,
                    10L * node.gossip().get().config().metrics().sampleIntervalMillis());
            if (sampleAgo > limit) {
                data.put("cause", "the metrics timer has not fired for " + sampleAgo + " ms");
                return new Verdict(false, data);
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] deadlocked = threads.findDeadlockedThreads();
        if (deadlocked != null) {
            String names = Arrays.stream(threads.getThreadInfo(deadlocked)).map(ThreadInfo::getThreadName)
                    .collect(Collectors.joining(", "));
            data.put("cause", "deadlocked threads: " + names);
            return new Verdict(false, data);
        }
        return new Verdict(true, data);
    }
}
