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
 * <p>An operator may pause the timer for a while ({@link #pause}, the FailureDetector MXBean): a drill
 * of a stuck overlay. Liveness then goes DOWN after 10 s, and the peers suspect this node.
 *
 * <p>Bean-managed concurrency and transactions: a round is short and touches no JTA resource; the
 * fields are volatiles, the timer swapped under this object's monitor (pause and resume).
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

    /** The longest pause an operator may ask for: a drill, not a way to switch detection off. */
    static final long MAX_PAUSE_MILLIS = 10 * 60_000;
    private static final String RESUME = "sprawl-probe-resume";

    private volatile Timer timer;
    private volatile Timer resume;
    private volatile boolean enabled;
    private volatile long lastRound;
    private volatile long interval;

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
        interval = g.config().detector().probeIntervalMillis();
        enabled = true;
        schedule();
    }

    private synchronized void schedule() {
        timer = timers.createIntervalTimer(interval, interval, new TimerConfig("sprawl-probe-rounds", false));
    }

    @Timeout
    void round(Timer t) {
        if (RESUME.equals(t.getInfo())) {
            synchronized (this) {
                resume = null;
                if (enabled && timer == null) {
                    schedule();
                }
            }
            return;
        }
        node.gossip().ifPresent(GossipManager::probeRound);
        lastRound = System.currentTimeMillis();
    }

    /**
     * Stops the probe rounds for {@code millis} (1 ms to {@link #MAX_PAUSE_MILLIS}), then resumes them.
     * Returns what it did, for the operator.
     */
    public synchronized String pause(long millis) {
        if (millis < 1 || millis > MAX_PAUSE_MILLIS) {
            throw new IllegalArgumentException("a pause is 1 to " + MAX_PAUSE_MILLIS + " ms, not " + millis);
        }
        if (!enabled) {
            return "probing is off (sprawl.probe.enabled=false): nothing to pause";
        }
        OverlayNode.cancel(timer);
        timer = null;
        OverlayNode.cancel(resume);
        resume = timers.createSingleActionTimer(millis, new TimerConfig(RESUME, false));
        return "probe rounds paused for " + millis + " ms";
    }

    @PreDestroy
    synchronized void stop() {
        enabled = false;
        OverlayNode.cancel(timer);
        OverlayNode.cancel(resume);
        timer = null;
        resume = null;
    }

    /** Epoch ms of the last probe round, 0 before the first or when probing is off. */
    public long lastRound() {
        return lastRound;
    }

    /** Whether the probe rounds should run (probing on, the node started), paused or not. */
    public boolean running() {
        return enabled;
    }
}
