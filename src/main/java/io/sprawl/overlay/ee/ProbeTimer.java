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
import java.util.logging.Logger;

/**
 * Drives the failure detector's probe rounds with a non-persistent interval timer
 * ({@code sprawl.probe.interval-ms}). The node answers probes only while this timer fires, so a
 * stuck timer or bean makes the node suspect to the others: what the transport alone cannot see.
 *
 * <p>Bean-managed concurrency and transactions: a round is short and touches no JTA resource; the
 * one mutable field is a volatile written by the timer thread.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ProbeTimer {

    private static final Logger LOG = Logger.getLogger(ProbeTimer.class.getName());

    @Inject
    OverlayNode node;

    @Resource
    TimerService timers;

    private volatile Timer timer;
    private volatile long lastRound;

    @PostConstruct
    void start() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return; // the node did not start; its startup check says why
        }
        if (!g.config().detector().enabled()) {
            LOG.info("sprawl.probe.enabled=false: no probe rounds; failure detection is the transport's alone");
            return;
        }
        long interval = g.config().detector().probeIntervalMillis();
        timer = timers.createIntervalTimer(interval, interval, new TimerConfig("sprawl-probe-rounds", false));
    }

    @Timeout
    void round(Timer t) {
        node.gossip().ifPresent(GossipManager::probeRound);
        lastRound = System.currentTimeMillis();
    }

    @PreDestroy
    void stop() {
        OverlayNode.cancel(timer);
        timer = null;
    }

    /** Epoch ms of the last probe round, 0 before the first or when probing is off. */
    public long lastRound() {
        return lastRound;
    }

    public boolean running() {
        return timer != null;
    }
}
