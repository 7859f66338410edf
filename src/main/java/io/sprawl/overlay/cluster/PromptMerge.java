package io.sprawl.overlay.cluster;

import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;

/**
 * JGroups' MERGE3, looking for differing views every {@link #CHECK_MS} instead of every check interval.
 *
 * <p>Why. MERGE3 ties two things to one interval (1.6 x max_interval): how often a member compares the views
 * it heard of, and how long it then waits for the other coordinators' views (a tenth of it). Only the merge
 * leader starts a merge, at its own next check: in the leader benchmark's 5+4 heals the other eight had named
 * it leader 0.3-0.6 s after the heal, and it merged 2 s later, at its next check. A shorter max_interval
 * shortens both, and with 120 ms for the views not every coordinator answered on two busy cores: the sides
 * merged in two or three steps, each one an Infinispan recovery and a new leader term. Here the checks come
 * every second and the wait stays a tenth of the configured interval (240 ms).
 *
 * <p>The cost: one look at a small map per second per member; the discovery rounds that carry the views
 * (max_interval) are unchanged.
 */
public final class PromptMerge extends MERGE3 {

    /** How often each member compares the views it heard of (MERGE3's own: 1.6 x max_interval). */
    static final long CHECK_MS = 1_000;

    private final AtomicLong checks = new AtomicLong();

    public PromptMerge() {
        // MERGE3's own protocol id, so its headers are MERGE3's on the wire (a subclass has none registered,
        // and a message whose header names id 0 fails in every receiver).
        setId(ClassConfigurator.getProtocolId(MERGE3.class));
    }

    /** How many checks have run: for tests. */
    long checks() {
        return checks.get();
    }

    @Override
    protected synchronized void startViewConsistencyChecker() {
        if (view_consistency_checker == null || view_consistency_checker.isDone()) {
            view_consistency_checker = timer.scheduleWithDynamicInterval(new PromptChecker());
        }
    }

    /** MERGE3's checker, run every {@link #CHECK_MS}; its wait for views stays check_interval / 10. */
    private final class PromptChecker extends ViewConsistencyChecker {
        @Override
        public void run() {
            checks.incrementAndGet();
            super.run();
        }

        @Override
        public long nextInterval() {
            return CHECK_MS;
        }
    }
}
