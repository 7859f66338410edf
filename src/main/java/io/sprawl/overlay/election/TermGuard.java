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
 * of the transport's view is reachable, and the leader cache is quiet over exactly that view. A write
 * of the record that fails half-way stays applied on the owners it reached (see {@link CacheLeaderStore}),
 * so a term changes only when no member is unreachable and no state is moving.
 *
 * <ul>
 *   <li>A member live in this node's table is reachable. One the failure detector found {@code FAILED}
 *       that is still in the view after {@code previousProcessWaitMillis} answers its transport (JGroups
 *       would have excluded it by then): a stuck overlay, which must not hold up the election while it
 *       stays stuck.</li>
 *   <li>Quiet: the cache's members are the view's and it is not rebalancing or resolving a merge. A
 *       rebalance that does not finish (seen in the benchmark after three restarts and three kills
 *       within 20 s) must not block every election either: once the view has not changed for
 *       {@code previousProcessWaitMillis}, a rebalance still running counts as quiet. The cache's
 *       members must still be the view's.</li>
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
    }

    private final Supplier<ClusterTransport.ViewSnapshot> view;
    private final Supplier<List<Member>> table;
    private final Cache cache;
    private final Clock wall;
    private final LongSupplier nanos;
    private final long waitMillis;
    private long viewId = Long.MIN_VALUE;
    private long viewSince;

    public TermGuard(Supplier<ClusterTransport.ViewSnapshot> view, Supplier<List<Member>> table, Cache cache, Clock wall, LongSupplier nanos,
                     long previousProcessWaitMillis) {
        this.view = view;
        this.table = table;
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
        if (!reachable(v.members())) {
            return false;
        }
        if (!cache.members().equals(v.members())) {
            return false;
        }
        return !cache.moving() || now - viewSince > waitMillis * 1_000_000L;
    }

    private boolean reachable(Set<String> view) {
        long now = wall.millis();
        Predicate<Member> answers = m -> m.state().live()
                || (m.state() == MemberState.FAILED && now - m.stateSince() > waitMillis);
        Set<String> reachable = new HashSet<>();
        for (Member m : table.get()) {
            if (answers.test(m)) {
                reachable.add(m.transportId());
            }
        }
        return reachable.containsAll(view);
    }
}
