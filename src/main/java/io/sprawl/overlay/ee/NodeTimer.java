package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every timer of the node shares: a thread of its own ticking at a fixed delay, started when the
 * bean starts (if the node started and the subclass wants one), a tick that calls the subclass with the
 * running node, the time of the last tick for liveness, and the stop. Subclasses are
 * {@code @Startup @Singleton @DependsOn("OverlayNode")} beans with bean-managed concurrency (every
 * field here is volatile or guarded by the bean's monitor, so a REST read never queues behind a tick)
 * and bean-managed transactions (a tick touches no JTA resource).
 *
 * <p>Not the container's EJB timers: Liberty stops firing non-persistent timers as soon as the server
 * starts to quiesce (OpenLiberty #14421), and the application is stopped, and the node leaves, only when
 * the quiesce ends, up to 30 s later. A node whose probe timer stops answers no probes (by design: a
 * stuck overlay), so in a rolling restart a leader whose quiesce took 30 s was declared FAILED by all
 * four others at ~8 s, before its goodbye. On its own thread the node probes, renews its lease and
 * answers until it says goodbye at {@code @PreDestroy}.
 *
 * <p>A tick that throws is logged and the timer keeps ticking. At a fixed delay, not a fixed rate: after
 * a pause the node takes one tick, not a burst of the missed ones.
 */
public abstract class NodeTimer {

    private static final Logger LOG = Logger.getLogger(NodeTimer.class.getName());

    @Inject
    OverlayNode node;

    /** The timer's thread; null when there is no timer. Guarded by this. */
    private ScheduledThreadPoolExecutor thread;
    /** The running interval ticks; null while suspended. Guarded by this. */
    private ScheduledFuture<?> ticks;
    private volatile long lastTick;
    private volatile long interval;

    /** The timer's name, for its thread and the server's logs. */
    abstract String name();

    /** The interval in ms for this node, or 0 for no timer (the subclass logs why). */
    abstract long intervalMillis(GossipManager g);

    /** One tick, on the timer's thread. */
    abstract void tick(GossipManager g);

    /** The delay of the first tick; by default one interval. */
    long firstDelayMillis(long interval) {
        return interval;
    }

    @PostConstruct
    synchronized void start() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return; // the node did not start; its startup check says why
        }
        interval = intervalMillis(g);
        if (interval > 0) {
            String threadName = name() + "-" + g.config().nodeId();
            ClassLoader app = getClass().getClassLoader();
            thread = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                t.setContextClassLoader(app); // as the container's threads had it: the WAR's classes
                return t;
            });
            thread.setRemoveOnCancelPolicy(true);
            schedule();
        }
    }

    private void fired() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return;
        }
        try {
            tick(g);
        } catch (Throwable e) {
            // Anything thrown out of a periodic task cancels it for good, silently: a probe timer that stops
            // gets the node declared FAILED. Log and tick on.
            LOG.log(Level.WARNING, name() + " tick failed", e);
        }
        lastTick = System.currentTimeMillis();
    }

    /**
     * Never overridden (nor {@link #start}): a subclass method overriding a lifecycle callback would
     * silently stop it being called (the interceptors spec), and they may not be final. Subclasses stop
     * their own work in {@link #stopped}.
     */
    @PreDestroy
    synchronized void stop() {
        interval = 0;
        ticks = null;
        stopped();
        if (thread != null) {
            thread.shutdown(); // a tick in flight (a cache write) finishes; no interrupt mid-write
            try {
                thread.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** At stop, before the thread is stopped, under the bean's monitor. */
    void stopped() {
    }

    /** (Re)starts the interval ticks. */
    synchronized void schedule() {
        if (interval > 0 && ticks == null && thread != null && !thread.isShutdown()) {
            ticks = thread.scheduleWithFixedDelay(this::fired, firstDelayMillis(interval), interval,
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the interval ticks until {@link #schedule}. */
    synchronized void suspend() {
        if (ticks != null) {
            ticks.cancel(false);
            ticks = null;
        }
    }

    /** Runs {@code task} once on the timer's thread after {@code millis}; null when there is no timer. */
    synchronized ScheduledFuture<?> once(long millis, Runnable task) {
        return thread == null || thread.isShutdown() ? null : thread.schedule(task, millis, TimeUnit.MILLISECONDS);
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
