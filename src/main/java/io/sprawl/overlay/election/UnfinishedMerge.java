package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.ClusterTransport;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A leader cache left degraded, or left in its conflict resolution phase ({@link ResolutionRestart}), although
 * every member of its last agreed (stable) membership is back in the view. Infinispan decides a cache's
 * availability when the view changes: after a merge the new coordinator gathers every member's cache status
 * and, with no member of the stable membership missing, makes the cache available again. When that gathering
 * fails (its requests time out under heavy loss: a CI run after a minute of 30 % loss on every link ended with
 * five HEALTHY members and no leader for minutes), the cache stays degraded in a whole cluster, every node shows
 * "no majority", and nothing retries: the next views lose no member, and Infinispan leaves a degraded cache to
 * the operator.
 *
 * <p>Making the cache available then is what Infinispan's own merge would have done, and safe for its
 * reason: a view that holds every member of the last agreed membership leaves no one outside it to form a
 * majority of that membership elsewhere. The rule waits until the view has stayed the same for
 * {@link #SETTLE_MS} with no merge pending, so Infinispan's own recovery had its chance, and only the
 * coordinator acts (an availability change goes through it anyway). A side that lost members never
 * qualifies: that is the operator's call ({@link MajorityRecovery}).
 *
 * <p>Threads: the election timer's thread only ({@code Election.tick}), which owns the two fields.
 */
final class UnfinishedMerge {

    /** How long a whole view waits on a degraded cache before this steps in: several merge rounds. */
    static final long SETTLE_MS = 10_000;

    private long viewId = Long.MIN_VALUE;
    private long viewSince;

    /**
     * Whether to finish the merge now; asked on each tick while the leader cache is degraded or resolving, so the
     * wait runs from the first tick that found it so in this view, and again after each time it was due.
     *
     * @param stable       the transport ids of the cache's last stable topology, as this node holds it
     * @param view         the transport view
     * @param coordinator  whether this node coordinates the view
     * @param mergePending whether a merge view arrived whose conflicts the cache may still be resolving
     * @param nowNanos     a monotonic clock
     */
    boolean due(Set<String> stable, ClusterTransport.ViewSnapshot view, boolean coordinator,
            boolean mergePending, long nowNanos) {
        if (view.id() != viewId) {
            viewId = view.id();
            viewSince = nowNanos;
        }
        boolean due = coordinator && !mergePending && whole(view.members(), stable)
                && nowNanos - viewSince >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        if (due) {
            viewSince = nowNanos; // once per settle: what was done is given its time to take effect
        }
        return due;
    }

    /** Whether the view holds every member of a known stable membership: no one outside to form a majority of it. */
    static boolean whole(Set<String> view, Set<String> stable) {
        return !stable.isEmpty() && view.containsAll(stable);
    }
}
