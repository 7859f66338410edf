package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every timer of the node shares: a non-persistent interval timer created when the bean starts
 * (if the node started and the subclass wants one), a tick that calls the subclass with the running
 * node, the time of the last tick for liveness, and the cancel at stop. Subclasses are
 * {@code @Startup @Singleton @DependsOn("OverlayNode")} beans with bean-managed concurrency (every
 * field here is volatile or guarded by the bean's monitor, so a REST read never queues behind a tick)
 * and bean-managed transactions (a tick touches no JTA resource).
 *
 * <p>A tick that throws is logged and the timer keeps firing: the container would otherwise retry it
 * and then count the timer as failed.
 */
public abstract class NodeTimer {

    private static final Logger LOG = Logger.getLogger(NodeTimer.class.getName());

    @Inject
    OverlayNode node;

    @Resource
    TimerService timers;

    private volatile Timer timer;
    private volatile long lastTick;
    private volatile long interval;

    /** The timer's name, for the server's logs and its timer list. */
    abstract String name();

    /** The interval in ms for this node, or 0 for no timer (the subclass logs why). */
    abstract long intervalMillis(GossipManager g);

    /** One tick, on a container thread. */
    abstract void tick(GossipManager g);

    /** The delay of the first tick; by default one interval. */
    long firstDelayMillis(long interval) {
        return interval;
    }

    /** A single-action timer of the subclass's (created with {@link #once}) fired; true when handled. */
    boolean other(Timer t) {
        return false;
    }

    @PostConstruct
    void start() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return; // the node did not start; its startup check says why
        }
        interval = intervalMillis(g);
        if (interval > 0) {
            schedule();
        }
    }

    @Timeout
    void fired(Timer t) {
        if (other(t)) {
            return;
        }
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return;
        }
        try {
            tick(g);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, name() + " tick failed", e);
        }
        lastTick = System.currentTimeMillis();
    }

    /**
     * Never overridden (nor {@link #start}, {@link #fired}): a subclass method overriding a lifecycle or
     * timeout callback would silently stop it being called (the interceptors spec), and they may not be
     * final. Subclasses cancel their own timers in {@link #stopped}.
     */
    @PreDestroy
    synchronized void stop() {
        interval = 0;
        OverlayNode.cancel(timer);
        timer = null;
        stopped();
    }

    /** At stop, after the interval timer is cancelled, under the bean's monitor. */
    void stopped() {
    }

    /** (Re)creates the interval timer. */
    synchronized void schedule() {
        if (interval > 0 && timer == null) {
            timer = timers.createIntervalTimer(firstDelayMillis(interval), interval, new TimerConfig(name(), false));
        }
    }

    /** Cancels the interval timer until {@link #schedule}. */
    synchronized void suspend() {
        OverlayNode.cancel(timer);
        timer = null;
    }

    /** A single-action timer named {@code info}, handled by {@link #other}. */
    Timer once(long millis, String info) {
        return timers.createSingleActionTimer(millis, new TimerConfig(info, false));
    }

    /** Epoch ms of the last tick, 0 before the first or when there is no timer. */
    public long lastTick() {
        return lastTick;
    }

    /** Whether this timer should be ticking (the node started and the setting wants it), paused or not. */
    public boolean running() {
        return interval > 0;
    }
}
