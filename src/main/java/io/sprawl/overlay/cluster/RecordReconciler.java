package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MembershipManager;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/**
 * Keeps the member table in step with the transport's views and the replicated records: it is the sink
 * of Infinispan's notifications of views and records ({@link ClusterEvents}). Also the coordinator's duty of marking members
 * gone from the view as departed in the cache, and of removing records past the retention, so every node
 * agrees; and, after a merge of partitions, this node's re-publication of its own record once the cache
 * is past the merge ({@link MergeGate}).
 *
 * <p>Threads. Infinispan's listener threads call the sink; they only update the table (memory) and
 * queue the rest. Cache reads over all records and every write run on the records thread
 * ({@code writes}). The housekeeping timer calls {@link #housekeeping}.
 */
public final class RecordReconciler implements ClusterEvents.Sink {

    private static final Logger LOG = Logger.getLogger(RecordReconciler.class.getName());

    private final String selfId;
    private final long retentionMillis;
    private final Clock clock;
    private final ClusterTransport transport;
    private final Cache<String, MemberRecord> records;
    private final MembershipManager membership;
    private final SelfRecord self;
    private final Executor writes;
    private final MergeGate merge;

    public RecordReconciler(String selfId, long retentionMillis, Clock clock, ClusterTransport transport,
                            MembershipManager membership, SelfRecord self, Executor writes) {
        this.selfId = selfId;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
        this.transport = transport;
        this.records = transport.records();
        this.membership = membership;
        this.self = self;
        this.writes = writes;
        this.merge = new MergeGate(records);
    }

    /** Starts following the cluster: listeners on, then the view and every record read once. */
    public void start() {
        records.addListener(new ClusterEvents.Records(this));
        ClusterTransport.ViewSnapshot v = transport.view();
        membership.viewChanged(v.id(), v.members());
    }

    /** Records written before our listener was added (state transfer) are read here. On the calling thread. */
    public void readAll() {
        for (MemberRecord r : List.copyOf(records.values())) {
            membership.recordChanged(r);
        }
    }

    /** A view was installed (Infinispan's listener thread). */
    public void viewChanged(ViewChangedEvent e) {
        LOG.info(() -> "node " + selfId + " installed " + (e.isMergeView() ? "merge " : "") + "view "
                + e.getViewId() + " " + e.getNewMembers());
        membership.viewChanged(e.getViewId(), ClusterTransport.transportIds(e.getNewMembers()));
        if (e.isMergeView()) {
            merge.arm();
        }
        if (transport.isCoordinator()) {
            // Not on the listener thread: cache writes while the view is being installed can wait on it.
            writes.execute(this::markDepartures);
        }
    }

    @Override
    public void recordChanged(MemberRecord r) {
        membership.recordChanged(r);
        if (self.markedDeparted(r) && !merge.pending()) {
            // The other side of a partition marked us departed: refute with a new incarnation (after a
            // merge, the refutation that follows the conflict resolution does it).
            self.refute(0);
        }
    }

    @Override
    public void recordRemoved(String id) {
        membership.recordRemoved(id);
    }

    @Override
    public void recordsTopologyChanged() {
        // Records that arrived by state transfer raise no events: read them all, off the listener thread.
        writes.execute(() -> {
            readAll();
            afterMerge();
        });
    }

    /**
     * Drops departed members past the retention; after a merge re-publishes this node's record once the
     * cache is past it; on the coordinator marks departures and removes expired records.
     */
    public void housekeeping() {
        membership.expire();
        afterMerge();
        if (transport.isCoordinator()) {
            writes.execute(this::markDepartures);
        }
    }

    /**
     * After a merge the sides' records may be stale, and the other side may have marked this node
     * departed: it re-publishes its own record as a new incarnation, once its cache is past the merge.
     */
    private void afterMerge() {
        if (merge.open()) {
            self.refute(0);
        }
    }

    /** Coordinator only: mark departures in the cache, and remove records past the retention. */
    private void markDepartures() {
        if (!transport.running()) {
            return;
        }
        Set<String> view = transport.view().members();
        long now = clock.millis();
        for (MemberRecord r : List.copyOf(records.values())) {
            if (!r.status().departed() && !view.contains(r.transportId())) {
                // Conditional: a restarted owner's fresh record must never be overwritten by our mark.
                records.replaceAsync(r.id(), r, r.departed(now)).whenComplete((ok, e) -> logFailure(e, "mark", r.id()));
            } else if (r.status().departed() && r.departedAt() + retentionMillis <= now) {
                records.removeAsync(r.id(), r).whenComplete((ok, e) -> logFailure(e, "remove", r.id()));
            }
        }
    }

    /** The next housekeeping tries again; a failure here is news only while the view moves. */
    private void logFailure(Throwable e, String what, String id) {
        if (e != null) {
            LOG.info(() -> "coordinator " + selfId + " could not " + what + " the record of " + id + " (retried): " + e);
        }
    }
}
