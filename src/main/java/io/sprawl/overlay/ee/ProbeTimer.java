package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * Drives the failure detector's probe rounds ({@code sprawl.probe.interval-ms}). The node answers
 * probes only while this timer fires, so a stuck timer or bean makes the node suspect to the others:
 * what the transport alone cannot see.
 *
 * <p>An operator may pause the timer for a while ({@link #pause}, the FailureDetector MXBean): a drill
 * of a stuck overlay. Liveness then goes DOWN after 10 s, and the peers suspect this node. The interval
 * ticks and the resume are swapped under the bean's monitor.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ProbeTimer extends NodeTimer {

    private static final Logger LOG = Logger.getLogger(ProbeTimer.class.getName());

    /** The longest pause an operator may ask for: a drill, not a way to switch detection off. */
    static final long MAX_PAUSE_MILLIS = 10 * 60_000;
    /** The resume of an operator's pause, and which pause it is for; guarded by the bean's monitor. */
    private ScheduledFuture<?> resume;
    private long pauses;

    @Override
    String name() {
        return "sprawl-probe-rounds";
    }

    @Override
    long intervalMillis(GossipManager g) {
        if (!g.config().detector().enabled()) {
            LOG.info("sprawl.probe.enabled=false: no probe rounds; failure detection is the transport's alone");
            return 0;
        }
        return g.config().detector().probeIntervalMillis();
    }

    @Override
    void tick(GossipManager g) {
        g.probeRound();
    }

    /** Resumes the rounds, unless a later pause replaced the one this resume was for. */
    private synchronized void resumeRounds(long pause) {
        if (pause == pauses) {
            resume = null;
            schedule();
        }
    }

    /**
     * Stops the probe rounds for {@code millis} (1 ms to {@link #MAX_PAUSE_MILLIS}), then resumes them.
     * Returns what it did, for the operator.
     */
    public synchronized String pause(long millis) {
        if (millis < 1 || millis > MAX_PAUSE_MILLIS) {
            throw new IllegalArgumentException("a pause is 1 to " + MAX_PAUSE_MILLIS + " ms, not " + millis);
        }
        if (!running()) {
            return "probing is off (sprawl.probe.enabled=false): nothing to pause";
        }
        suspend();
        cancelResume();
        long pause = ++pauses;
        resume = once(millis, () -> resumeRounds(pause));
        return "probe rounds paused for " + millis + " ms";
    }

    @Override
    void stopped() {
        cancelResume();
    }

    private void cancelResume() {
        if (resume != null) {
            resume.cancel(false);
            resume = null;
        }
    }
}
