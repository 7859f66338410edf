package io.sprawl.overlay.election;

import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Whether the leader's term may change now ({@link ClaimRules}' {@code termMayChange}): every member
 * of the transport's view is reachable, and the leader cache is quiet over that view. A write
 * of the record that fails half-way stays applied on the owners it reached (see {@link CacheLeaderStore}),
 * so a term changes only when no member is unreachable and no state is moving.
 *
 * <ul>
 *   <li>A member live in this node's table is reachable. One the failure detector found {@code FAILED}
 *       that is still in the view after {@code previousProcessWaitMillis} answers its transport (JGroups
 *       would have excluded it by then): a stuck overlay, which must not hold up the election while it
 *       stays stuck.</li>
 *   <li>A member whose process is proven gone (it exited: {@code FailureDetector.provenGone}) counts as gone
 *       from the view and from the cache's members already, before JGroups and Infinispan have caught up
 *       (~0.2 s to exclude it, and when it was the coordinator ~0.3 s more for the new one to recover the
 *       caches). A write cannot land half-way on a dead process in a way that matters: its copy of the
 *       record died with it, and a restart is a new process that gets the record by state transfer.</li>
 *   <li>Members the view has dropped may still be in the cache's topology: Infinispan's coordinator updates
 *       its caches one after another after each view (~0.05 s each on a loaded machine, the leader cache last
 *       of five: ~0.2 s in the 3-of-9 benchmark), and waiting for it tells nothing new. A write cannot reach
 *       a member outside the view (Infinispan counts it as a leaver and goes on), a write whose primary owner
 *       was dropped waits for the next topology by itself, and whether this side may write at all is the
 *       store's majority rule against the last quiet topology, not this one. That rule and Infinispan's
 *       choice of where a write goes read Infinispan's own view, which takes each JGroups view a moment after
 *       JGroups: until Infinispan has taken this view, a minority side would still count the members it lost
 *       and send them the write, so the check waits for that.</li>
 *   <li>Quiet: the cache holds every member of the view and is not rebalancing or resolving a merge. A
 *       rebalance that does not finish (seen in the benchmark after three restarts and three kills
 *       within 20 s) must not block every election either: once the view has not changed for
 *       {@code previousProcessWaitMillis}, a rebalance still running counts as quiet. The cache must
 *       still hold every member of the view.</li>
 * </ul>
 *
 * <p>Threads: called on the election thread only, which owns the two fields.
 */
public final class TermGuard implements BooleanSupplier {

    /** The leader cache's state over a view. */
    public interface Cache {
        /** The transport ids of the cache topology's members. */
        Set<String> members();

        /** Rebalancing or resolving a merge. */
        boolean moving();

        /** The transport ids of the members of Infinispan's own view (it takes JGroups' views a moment later). */
        Set<String> transportMembers();
    }

    private final Supplier<ClusterTransport.ViewSnapshot> view;
    private final Supplier<List<Member>> table;
    private final Predicate<String> provenGone;
    private final Cache cache;
    private final Clock wall;
    private final LongSupplier nanos;
    private final long waitMillis;
    private long viewId = Long.MIN_VALUE;
    private long viewSince;
    private String unsettled;

    /** @param provenGone whether a member (by id) is FAILED with its process proven gone */
    public TermGuard(Supplier<ClusterTransport.ViewSnapshot> view, Supplier<List<Member>> table,
                     Predicate<String> provenGone, Cache cache, Clock wall, LongSupplier nanos,
                     long previousProcessWaitMillis) {
        this.view = view;
        this.table = table;
        this.provenGone = provenGone;
        this.cache = cache;
        this.wall = wall;
        this.nanos = nanos;
        this.waitMillis = previousProcessWaitMillis;
    }

    @Override
    public boolean getAsBoolean() {
        ClusterTransport.ViewSnapshot v = view.get();
        long now = nanos.getAsLong();
        if (v.id() != viewId) {
            viewId = v.id();
            viewSince = now;
        }
        List<Member> members = table.get();
        Set<String> gone = new HashSet<>();
        for (Member m : members) {
            if (m.state() == MemberState.FAILED && provenGone.test(m.id())) {
                gone.add(m.transportId());
            }
        }
        Set<String> live = without(v.members(), gone);
        if (!reachable(live, members)) {
            unsettled = "a member of the view is unreachable";
            return false;
        }
        if (!without(cache.transportMembers(), gone).equals(live)) {
            unsettled = "Infinispan has not taken the view yet";
            return false;
        }
        if (!without(cache.members(), gone).containsAll(live)) {
            unsettled = "a member of the view is not in the leader cache yet";
            return false;
        }
        boolean quiet = !cache.moving() || now - viewSince > waitMillis * 1_000_000L;
        unsettled = quiet ? null : "the leader cache is moving state";
        return quiet;
    }

    /** The members of {@code members} that are not proven gone. */
    private static Set<String> without(Set<String> members, Set<String> gone) {
        Set<String> out = new HashSet<>(members);
        out.removeAll(gone);
        return out;
    }

    /** Why the last check found the cluster not settled; null when it was. */
    public String unsettled() {
        return unsettled;
    }

    private boolean reachable(Set<String> view, List<Member> members) {
        long now = wall.millis();
        Predicate<Member> answers = m -> m.state().live()
                || (m.state() == MemberState.FAILED && now - m.stateSince() > waitMillis);
        Set<String> reachable = new HashSet<>();
        for (Member m : members) {
            if (answers.test(m)) {
                reachable.add(m.transportId());
            }
        }
        return reachable.containsAll(view);
    }
}
