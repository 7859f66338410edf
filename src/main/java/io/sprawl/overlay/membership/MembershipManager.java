package io.sprawl.overlay.membership;

import io.sprawl.overlay.threads.OwnedExecutors;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The member table: follows the transport's views and the member records, keeps the event
 * history, drops departed members after the retention, and tells listeners of every transition.
 *
 * <p>Rules. A member whose record is in the cache and whose transport address is in the view is
 * {@code HEALTHY}. A member that leaves the view is {@code FAILED} at once, or {@code LEFT} when its
 * record said goodbye first. A record from a new process (new transport address) replaces the old
 * entry whatever its state: that is a new incarnation. A record older than the entry's is ignored.
 * The failure detector adds {@code SUSPECT} and its own {@code FAILED} verdicts for members still in
 * the view; only a higher incarnation (a refutation) makes such a member {@code HEALTHY} again, and a
 * process that keeps failing only after a hold-down ({@link RejoinHoldDown}). This
 * table is the one place a member's liveness is kept ({@link Liveness}): the detector holds only its
 * probing bookkeeping (timers, round trips) and reads the state here.
 *
 * <p>Threads. Transport and cache threads call {@link #viewChanged}, {@link #recordChanged} and
 * {@link #recordRemoved}; the failure detector calls {@link #of}, {@link #suspect}, {@link #alive} and
 * {@link #failed} under its own monitor (so the lock order is detector, then table; the table never
 * calls out under its lock); a timer calls {@link #expire}. All of them mutate under this object's
 * monitor. Readers never take it: they read the immutable snapshot published after each change.
 * Listeners run on one notifier thread, in event order.
 */
public final class MembershipManager implements Liveness, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MembershipManager.class.getName());

    /** Events waiting for the listeners: a whole cluster's churn at once fits many times over. */
    static final int NOTIFIER_QUEUE = 4_096;

    private final String selfId;
    private final Clock clock;
    private final long retentionMillis;
    private final EventHistory history;
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService notifier;

    // Guarded by this.
    private final Map<String, Entry> entries = new HashMap<>();
    private final RejoinHoldDown holdDown;
    /** FAILED members whose return waits out a hold-down: what takes them back, and when. */
    private final Map<String, Held> held = new HashMap<>();
    /**
     * Members first seen by their record before the view that holds them (views and records arrive on
     * different threads): FAILED "not in view" until that view comes, then HEALTHY, as if they had come together.
     */
    private final Set<String> awaitingView = new java.util.HashSet<>();
    private Set<String> view = Set.of();
    private long viewId = -1;

    private volatile MembershipSnapshot snapshot;
    /** Each member's state, published with the snapshot: what the failure detector reads, without the lock. */
    private volatile Map<String, State> states = Map.of();

    /**
     * @param incarnation the record's, or higher: the failure detector heard a refutation first, or a
     *                    suspicion of a newer incarnation (that incarnation is then the one suspected)
     */
    private record Entry(MemberRecord record, MemberState state, long since, long seenAt, long incarnation) {
    }

    /** A return held back until {@code until}: the newer record or incarnation that will take the member back. */
    private record Held(long until, MemberRecord record, long incarnation, int failures) {
    }

    /** Without a rejoin hold-down (tests of other rules). */
    public MembershipManager(String selfId, Clock clock, long retentionMillis, int historySize) {
        this(selfId, clock, retentionMillis, historySize, 0);
    }

    /** @param rejoinHoldDownMillis the hold-down after a second failure ({@link RejoinHoldDown}); 0 for none */
    public MembershipManager(String selfId, Clock clock, long retentionMillis, int historySize,
                             long rejoinHoldDownMillis) {
        this.holdDown = new RejoinHoldDown(rejoinHoldDownMillis, RejoinHoldDown.MAX_MS);
        this.selfId = selfId;
        this.clock = clock;
        this.retentionMillis = retentionMillis;
        this.history = new EventHistory(historySize);
        this.notifier = OwnedExecutors.single("sprawl-membership-notifier-" + selfId, NOTIFIER_QUEUE);
        this.snapshot = new MembershipSnapshot(viewId, clock.millis(), List.of());
    }

    // ---- inputs -------------------------------------------------------------------------------

    /**
     * A new transport view: the transport ids of its members. Live members outside it depart at once.
     * A view older than the one the table holds is ignored.
     */
    public synchronized void viewChanged(long newViewId, Set<String> transportIds) {
        if (newViewId < viewId) {
            return; // a view delivered late (the start-up read and the listener race): the newer one stands
        }
        viewId = newViewId;
        view = Set.copyOf(transportIds);
        long now = clock.millis();
        // A held member that left the view again was not back after all: its next return starts a new hold.
        held.keySet().removeIf(id -> entries.get(id) == null || !view.contains(entries.get(id).record.transportId()));
        for (String id : List.copyOf(awaitingView)) {
            Entry e = entries.get(id);
            if (e == null || e.state != MemberState.FAILED || e.record.status() != RecordStatus.ALIVE) {
                awaitingView.remove(id);
            } else if (view.contains(e.record.transportId())) {
                awaitingView.remove(id);
                transition(e.record, MemberState.HEALTHY, "joined", now, now, e.seenAt);
            }
        }
        for (Entry e : List.copyOf(entries.values())) {
            if (e.state.live() && !view.contains(e.record.transportId())) {
                boolean saidGoodbye = e.record.status() == RecordStatus.LEAVING;
                transition(e.record, saidGoodbye ? MemberState.LEFT : MemberState.FAILED,
                        saidGoodbye ? "graceful leave" : "view change", now, now, e.seenAt);
            }
        }
        publish(now);
    }

    /** A member record was written (by its owner, or marked departed by the coordinator), or read at join. */
    public synchronized void recordChanged(MemberRecord r) {
        long now = clock.millis();
        Entry current = entries.get(r.id());
        if (current != null && !supersedes(r, current.record)) {
            return;
        }
        if (r.status().departed() && r.departedAt() + retentionMillis <= now && !view.contains(r.transportId())) {
            drop(r.id());
            publish(now);
            return;
        }
        boolean newProcess = current == null || !current.record.transportId().equals(r.transportId());
        MemberState next = stateOf(r, current, newProcess);
        long since = next.live() ? now : (r.departedAt() > 0 ? r.departedAt() : now);
        if (newProcess) {
            holdDown.forget(r.id());
            held.remove(r.id());
        } else if (current.state == MemberState.FAILED && next == MemberState.HEALTHY
                && holdBack(r.id(), r, r.incarnation(), now)) {
            publish(now);
            return;
        }
        if (newProcess) {
            String reason = current == null ? (next.live() ? "joined" : "not in view") : "rejoined";
            transition(r, next, reason, since, now, now);
            if (next == MemberState.FAILED && r.status() == RecordStatus.ALIVE) {
                awaitingView.add(r.id());
            } else {
                awaitingView.remove(r.id());
            }
        } else if (next != current.state) {
            transition(r, next, reasonFor(current.state, next), since, now, now);
        } else {
            // Same state: a metadata update, or the coordinator's mark of a departure we already saw.
            long keptSince = next.live() ? current.since : Math.min(current.since, since);
            entries.put(r.id(), new Entry(r, next, keptSince, now, Math.max(r.incarnation(), current.incarnation)));
        }
        publish(now);
    }

    /** Lock-free: the state as of the last change (a transition re-checks under the lock). */
    @Override
    public State of(String id) {
        return states.get(id);
    }

    /**
     * The failure detector suspects this incarnation of a healthy member. Of a suspected one, a newer
     * incarnation is still suspect (its refutation has not reached us): the state stands, the incarnation moves.
     */
    @Override
    public synchronized boolean suspect(String id, long incarnation, String reason) {
        Entry e = entries.get(id);
        if (e == null || incarnation < e.incarnation) {
            return false;
        }
        long now = clock.millis();
        if (e.state == MemberState.HEALTHY) {
            detectorTransition(e, MemberState.SUSPECT, reason, incarnation, now);
        } else if (e.state == MemberState.SUSPECT && incarnation > e.incarnation) {
            entries.put(id, new Entry(e.record, e.state, e.since, e.seenAt, incarnation));
        } else {
            return false;
        }
        publish(now);
        return true;
    }

    /**
     * A newer incarnation refuted a suspicion or a failure verdict. A member gone from the view or
     * gone for good (LEFT) stays as it is: only a new process brings those back.
     */
    @Override
    public synchronized boolean alive(String id, long incarnation, String reason) {
        Entry e = entries.get(id);
        if (e == null || incarnation <= e.incarnation || e.state == MemberState.LEFT
                || !view.contains(e.record.transportId())) {
            return false;
        }
        long now = clock.millis();
        if (e.state == MemberState.HEALTHY) {
            entries.put(id, new Entry(e.record, e.state, e.since, e.seenAt, incarnation));
        } else if (e.state == MemberState.FAILED && holdBack(id, null, incarnation, now)) {
            return false;
        } else {
            detectorTransition(e, MemberState.HEALTHY, reason, incarnation, now);
        }
        publish(now);
        return true;
    }

    /** The failure detector's verdict on this incarnation of a live member. */
    @Override
    public synchronized boolean failed(String id, long incarnation, String reason) {
        Entry e = entries.get(id);
        if (e == null || !e.state.live() || incarnation < e.incarnation) {
            return false;
        }
        long now = clock.millis();
        detectorTransition(e, MemberState.FAILED, reason, incarnation, now);
        publish(now);
        return true;
    }

    /** A record was removed from the cache (the coordinator expiring it): a departed entry goes too. */
    public synchronized void recordRemoved(String id) {
        Entry e = entries.get(id);
        if (e != null && !e.state.live()) {
            drop(id);
            publish(clock.millis());
        }
    }

    /**
     * Takes back the held members whose hold-down is over and who are still in the view, then drops
     * departed members older than the retention; returns the ids dropped. The housekeeping timer calls it
     * every second.
     */
    public synchronized List<String> expire() {
        long now = clock.millis();
        for (Map.Entry<String, Held> h : List.copyOf(held.entrySet())) {
            Entry e = entries.get(h.getKey());
            Held w = h.getValue();
            if (e == null || e.state != MemberState.FAILED) {
                held.remove(h.getKey());
                continue;
            }
            String early = now >= w.until() ? null : lossyEverywhere(h.getKey(), now);
            if ((now >= w.until() || early != null) && view.contains(e.record.transportId())) {
                held.remove(h.getKey());
                String reason = early != null ? "rejoined before the end of its hold-down: " + early
                        : "rejoined after a hold-down of " + holdDown.holdMillis(w.failures()) / 1000 + " s ("
                        + w.failures() + " failures in 10 min)";
                MemberRecord r = w.record() != null && supersedes(w.record(), e.record) ? w.record() : e.record;
                long incarnation = Math.max(w.incarnation(), Math.max(r.incarnation(), e.incarnation));
                entries.put(r.id(), new Entry(r, MemberState.FAILED, e.since, now, e.incarnation));
                detectorTransition(entries.get(r.id()), MemberState.HEALTHY, reason, incarnation, now);
                publish(now);
            }
        }
        List<String> dropped = new ArrayList<>();
        for (Entry e : List.copyOf(entries.values())) {
            if (!e.state.live() && e.since + retentionMillis <= now) {
                drop(e.record.id());
                dropped.add(e.record.id());
            }
        }
        if (!dropped.isEmpty()) {
            publish(now);
        }
        return dropped;
    }

    /** The leader this node shows changed (the election's event): into the history, and to the listeners. */
    public synchronized void leaderChanged(String previous, String leader, long term, String reason) {
        tell(history.appendLeader(clock.millis(), previous, leader, term, reason));
    }

    /** An operator changed the cluster by hand (a recovered majority): into the history, and to the listeners. */
    public synchronized void operatorAction(String operator, String action) {
        tell(history.appendOperator(clock.millis(), operator, action));
    }

    // ---- reads (never block) ------------------------------------------------------------------

    public MembershipSnapshot snapshot() {
        return snapshot;
    }

    public List<Member> members() {
        return snapshot.members();
    }

    public Optional<Member> member(String id) {
        return snapshot.member(id);
    }

    public Optional<MemberState> nodeState(String id) {
        return member(id).map(Member::state);
    }

    public List<MembershipEvent> events(long sinceSeq) {
        return history.since(sinceSeq);
    }

    public String selfId() {
        return selfId;
    }

    public void addListener(MembershipListener l) {
        listeners.add(l);
    }

    @Override
    public void close() {
        notifier.shutdown();
        try {
            notifier.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the rules ----------------------------------------------------------------------------

    /** Whether {@code r} is newer than {@code old}: a new process always is; else a later revision or a departure mark. */
    static boolean supersedes(MemberRecord r, MemberRecord old) {
        if (!r.transportId().equals(old.transportId())) {
            return r.incarnation() > old.incarnation() || r.startTime() > old.startTime();
        }
        if (r.revision() != old.revision()) {
            return r.revision() > old.revision();
        }
        return r.status().departed() && !old.status().departed();
    }

    private MemberState stateOf(MemberRecord r, Entry current, boolean newProcess) {
        boolean inView = view.contains(r.transportId());
        return switch (r.status()) {
            // In the view: a new process or a newer incarnation is HEALTHY; otherwise the state stands (a
            // detector's SUSPECT or FAILED is not undone by a metadata update of the same incarnation).
            case ALIVE -> !inView ? MemberState.FAILED
                    : newProcess || r.incarnation() > current.incarnation ? MemberState.HEALTHY : current.state;
            case LEAVING, LEFT -> MemberState.LEFT;
            // A FAILED mark for a member that is in our view again (a healed partition): it stays live here
            // and its owner re-publishes itself with a new incarnation.
            case FAILED -> inView && current != null && current.state.live() ? current.state : MemberState.FAILED;
        };
    }

    private static String reasonFor(MemberState from, MemberState next) {
        if (next == MemberState.LEFT) {
            return "graceful leave";
        }
        if (next == MemberState.FAILED) {
            return "view change";
        }
        return from == MemberState.SUSPECT ? "refuted" : "rejoined";
    }

    /**
     * Whether the return of this FAILED process must wait out a hold-down: then it is remembered (the newer
     * record or incarnation) and taken back by {@link #expire} when the hold is over.
     */
    private boolean holdBack(String id, MemberRecord r, long incarnation, long now) {
        Held h = held.get(id);
        if (h == null) {
            int failures = holdDown.recentFailures(id, now);
            long hold = holdDown.holdMillis(failures);
            String lossy = hold <= 0 ? null : lossyEverywhere(id, now);
            if (hold <= 0 || cutOffHere() || lossy != null) {
                if (lossy != null) {
                    LOG.info(() -> "membership " + id + " is back and not held out: " + lossy);
                }
                return false;
            }
            h = new Held(now + hold, r, incarnation, failures);
            LOG.info(() -> "membership " + id + " is back after " + failures + " failures in 10 min: held out for "
                    + hold + " ms");
        } else {
            h = new Held(h.until(), r != null ? r : h.record(), Math.max(incarnation, h.incarnation()), h.failures());
        }
        held.put(id, h);
        return true;
    }

    /**
     * Whether more than half of the others are FAILED here: then it is this node that was cut off (or flaps),
     * not each of them, and holding them all out would only leave this node alone for a minute.
     */
    private boolean cutOffHere() {
        int others = 0;
        int failed = 0;
        for (Entry e : entries.values()) {
            if (!e.record.id().equals(selfId) && e.state != MemberState.LEFT) {
                others++;
                failed += e.state == MemberState.FAILED ? 1 : 0;
            }
        }
        return 2 * failed > others;
    }

    /**
     * Why {@code id} is not to be held (or held longer): two or more, and at least half, of the members other than
     * this node and it failed in the last minute too, so the network is lossy everywhere, not its links; null when
     * that is not so.
     */
    private String lossyEverywhere(String id, long now) {
        List<String> others = entries.values().stream().filter(e -> e.state != MemberState.LEFT)
                .map(e -> e.record.id()).filter(o -> !o.equals(selfId) && !o.equals(id)).toList();
        int failing = holdDown.failing(others, now);
        return failing >= 2 && 2 * failing >= others.size() ? failing + " of the " + others.size()
                + " other members failed in the last minute too (lossy links everywhere, not its own)" : null;
    }

    private void transition(MemberRecord r, MemberState to, String reason, long since, long now, long seenAt) {
        Entry previous = entries.get(r.id());
        if (to == MemberState.FAILED && previous != null && previous.state.live()) {
            holdDown.failed(r.id(), now);
        }
        boolean sameProcess = previous != null && previous.record.transportId().equals(r.transportId());
        long incarnation = sameProcess ? Math.max(r.incarnation(), previous.incarnation) : r.incarnation();
        entries.put(r.id(), new Entry(r, to, since, seenAt, incarnation));
        emit(now, r.id(), previous == null ? null : previous.state, to, reason, incarnation);
    }

    private void detectorTransition(Entry e, MemberState to, String reason, long incarnation, long now) {
        if (to == MemberState.FAILED && e.state.live()) {
            holdDown.failed(e.record.id(), now);
        }
        entries.put(e.record.id(), new Entry(e.record, to, now, e.seenAt, incarnation));
        emit(now, e.record.id(), e.state, to, reason, incarnation);
    }

    private void drop(String id) {
        entries.remove(id);
        awaitingView.remove(id);
        held.remove(id);
        holdDown.forget(id);
    }

    private void emit(long now, String node, MemberState from, MemberState to, String reason, long incarnation) {
        MembershipEvent e = history.append(now, node, from, to, reason, incarnation);
        LOG.info(() -> "membership " + node + " " + from + " -> " + to + " (" + reason + ", incarnation "
                + incarnation + ")");
        tell(e);
    }

    private void tell(MembershipEvent e) {
        if (!listeners.isEmpty()) {
            notifier.execute(() -> {
                for (MembershipListener l : listeners) {
                    try {
                        l.onEvent(e);
                    } catch (RuntimeException ex) {
                        LOG.log(Level.WARNING, "membership listener failed on " + e, ex);
                    }
                }
            });
        }
    }

    private void publish(long now) {
        List<Member> rows = new ArrayList<>(entries.size());
        Map<String, State> byId = new HashMap<>();
        for (Entry e : entries.values()) {
            rows.add(Member.of(e.record, e.state, e.incarnation, e.since, e.seenAt));
            byId.put(e.record.id(), new State(e.state, e.incarnation, e.record.protocolMax()));
        }
        states = Map.copyOf(byId);
        rows.sort(Comparator.comparing(Member::id));
        snapshot = new MembershipSnapshot(viewId, now, List.copyOf(rows));
    }
}
