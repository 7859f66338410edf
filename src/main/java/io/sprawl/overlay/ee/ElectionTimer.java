package io.sprawl.overlay.ee;

import io.sprawl.overlay.cluster.GossipManager;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;

/**
 * Re-checks the election at a fixed rate ({@code sprawl.leader.check-interval-ms}) with a
 * non-persistent interval timer; the leader renews its lease at each check. Membership events and
 * changes of the leader record trigger checks of their own (see {@code GossipManager}). A tick only
 * queues the check on the election thread, so it never waits on the network.
 *
 * <p>Bean-managed concurrency and transactions, as {@link ProbeTimer}: one volatile field, no JTA.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ElectionTimer {

    @Inject
    OverlayNode node;

    @Resource
    TimerService timers;

    private volatile Timer timer;

    @PostConstruct
    void start() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return; // the node did not start; its startup check says why
        }
        long interval = g.config().leader().checkIntervalMillis();
        timer = timers.createIntervalTimer(interval, interval, new TimerConfig("sprawl-election", false));
    }

    @Timeout
    void check(Timer t) {
        node.gossip().ifPresent(GossipManager::electionRound);
    }

    @PreDestroy
    void stop() {
        OverlayNode.cancel(timer);
        timer = null;
    }

    public boolean running() {
        return timer != null;
    }
}
