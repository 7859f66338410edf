package io.sprawl.overlay.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.PhysicalAddress;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;

/**
 * JGroups' MERGE3, comparing the views it heard of as soon as it hears of a member outside its own view.
 *
 * <p>Why. MERGE3 ties two things to one interval (1.6 x max_interval): how often a member compares the views it
 * heard of, and how long it then waits for the other coordinators' views (a tenth of it). Only the merge leader
 * starts a merge, at its own next comparison: in the leader benchmark's 5+4 heals it merged 3-4 s after the heal,
 * though the other eight had named it leader after 0.9-1.5 s. Comparing every second with the same 240 ms wait
 * (tried) merged sooner, but once the big side's coordinator answered too late and the sides merged without it,
 * in two steps. Here a comparison runs {@link #SETTLE_MS} after a member outside this view is first heard of (so
 * the other sides' views arrive too), at most one per {@link #MIN_GAP_MS}, and waits {@code checkInterval / 10}
 * for the coordinators' views: the check interval is long ({@link #CHECK_MS}), so that wait is long too, and MERGE3's
 * periodic comparison stays as the backstop.
 *
 * <p>A view that differs for another reason (asymmetric views inside one side) waits for the periodic comparison:
 * 6 s and 600 ms, where MERGE3 alone took 2.4 s and 240 ms. A stranger that can never merge (refused by
 * {@code ProtocolAuth}) costs a comparison per INFO it sends, about one a second.
 *
 * <p>And a coordinator whose members say, for {@link #LEFT_BEHIND_MS}, that they are in a later view than its own
 * has been left behind: they were excluded by a coordinator it never heard from, or took a merge view that left it
 * out. After a minute of 30 % loss on every link one node kept such a view for minutes, the coordinator of three
 * members that had all moved on: JGroups' own checks keep them (they answer VERIFY_SUSPECT2's are-you-dead, so
 * they are never excluded), its merges with their real view, which overlaps its own, never completed, and
 * Infinispan, missing that node from its last stable membership, kept the leader cache degraded everywhere. Those
 * members are handed to GMS as suspected, above VERIFY_SUSPECT2 (they are alive, just not here): the stale view
 * shrinks to the members still in it, and MERGE3 merges that with theirs as any heal. Only a later view counts (a
 * member that names an earlier one is behind, not gone: every view reaches the coordinator first), only what the
 * member said last, only on the coordinator (a participant behind its coordinator must not take over), and not
 * while a merge runs.
 *
 * <p>Threads: INFOs arrive on JGroups' delivery threads and only stamp {@link #differingSince} and
 * {@link #elsewhere}; the comparison and the exclusion run on MERGE3's own timer task (the comparison never two at
 * once, {@link #comparing}; a second exclusion of the same members is harmless); GMS gets the suspicion on a timer
 * thread of its own, since GMS installs the view on the thread that hands it the request.
 */
public final class PromptMerge extends MERGE3 {

    private static final Logger LOG = Logger.getLogger(PromptMerge.class.getName());

    /** MERGE3's check interval: its periodic comparison (the backstop) and, a tenth of it, the wait for views. */
    static final long CHECK_MS = 6_000;
    /** How long after the first differing view the comparison runs: the other sides' INFOs come within it. */
    static final long SETTLE_MS = 300;
    /** At most one prompt comparison per this: each one asks every coordinator for its view. */
    static final long MIN_GAP_MS = 1_000;
    /** How often the timer task looks whether a comparison is due (a look at two longs). */
    static final long TICK_MS = 200;
    /** Members saying this long that they are in a later view have left this one: several INFO rounds (0.75-2.25 s each). */
    static final long LEFT_BEHIND_MS = 5_000;

    /** Members of this view whose last INFO named a later view: since when (nanos), under which view of this node's. */
    private final Map<Address, Elsewhere> elsewhere = new ConcurrentHashMap<>();

    private record Elsewhere(ViewId mine, long since) {
    }

    /** When a view other than this member's was first heard of since the last comparison (nanos; 0: none). */
    private final AtomicLong differingSince = new AtomicLong();
    /** A comparison is running: MERGE3 starts a new checker task at each view, and the old one may still wait. */
    private final AtomicBoolean comparing = new AtomicBoolean();
    /** Written by the checker task, which moves to another timer thread with each view. */
    private volatile long lastComparison = System.nanoTime();
    private long periodicMs = CHECK_MS;

    public PromptMerge() {
        // MERGE3's own protocol id, so its headers are MERGE3's on the wire (a subclass has none registered,
        // and a message whose header names id 0 fails in every receiver).
        setId(ClassConfigurator.getProtocolId(MERGE3.class));
    }

    @Override
    public void init() throws Exception {
        setCheckInterval(periodicMs); // here: setMaxInterval() sets it back to 1.6 x max_interval
        super.init();
    }

    /** Another periodic comparison (and wait for views): for tests, before the channel connects. */
    PromptMerge periodic(long ms) {
        periodicMs = ms;
        return this;
    }

    @Override
    protected void addInfo(Address sender, ViewId viewId, String logicalName, PhysicalAddress physicalAddr) {
        super.addInfo(sender, viewId, logicalName, physicalAddr);
        // Only a member outside this view means another side. A member of it can send an older view id for a moment
        // (it installs the view a little later, or its INFO waited in a TCP queue): comparing then merged a side
        // with itself in the leader benchmark, and the real merge waited behind that one.
        // And only a coordinator: only a coordinator leads a merge (the others' comparisons would only ask every
        // coordinator for its view again).
        View mine = view;
        if (is_coord && mine != null && viewId != null && !mine.containsMember(sender)
                && !viewId.equals(mine.getViewId())) {
            differingSince.compareAndSet(0, System.nanoTime());
        }
        if (mine != null && viewId != null && mine.containsMember(sender) && !sender.equals(local_addr)) {
            if (viewId.getId() > mine.getViewId().getId()) {
                elsewhere.putIfAbsent(sender, new Elsewhere(mine.getViewId(), System.nanoTime()));
            } else {
                elsewhere.remove(sender); // this view, or one it has not installed yet: still here
            }
        }
    }

    /**
     * On the coordinator, hands GMS, as suspected, the members of this view that have said for
     * {@link #LEFT_BEHIND_MS} that they are in a later view (see the class comment).
     */
    private void excludeLeftBehind(long now) {
        View mine = view;
        if (mine == null || elsewhere.isEmpty()) {
            return;
        }
        List<Address> gone = new ArrayList<>();
        elsewhere.forEach((member, e) -> {
            if (!e.mine().equals(mine.getViewId()) || !mine.containsMember(member)) {
                elsewhere.remove(member, e); // heard under an earlier view of this node's: starts over
            } else if (now - e.since() >= LEFT_BEHIND_MS * 1_000_000) {
                gone.add(member);
            }
        });
        GMS gms = stack.findProtocol(GMS.class);
        if (gone.isEmpty() || !is_coord || gms == null || gms.isMergeInProgress()) {
            return;
        }
        gone.forEach(elsewhere::remove); // asked once; still elsewhere, asked again later
        VERIFY_SUSPECT2 verify = stack.findProtocol(VERIFY_SUSPECT2.class);
        Protocol above = verify != null ? verify.getUpProtocol() : up_prot;
        LOG.warning(() -> local_addr + ": " + gone + " of its view " + mine.getViewId() + " have said for "
                + LEFT_BEHIND_MS + " ms that they are in a later view: they moved on without it; excluding them, so"
                + " the two views can merge");
        timer.execute(() -> {
            if (mine.equals(view)) { // else a view came meanwhile, and the next round decides again
                above.up(new Event(Event.SUSPECT, gone));
            }
        });
    }

    /** MERGE3 forgets the views heard of at each view and after each comparison: so does the prompt. */
    @Override
    public void clearViews() {
        differingSince.set(0);
        super.clearViews();
    }

    @Override
    protected synchronized void startViewConsistencyChecker() {
        if (view_consistency_checker == null || view_consistency_checker.isDone()) {
            view_consistency_checker = timer.scheduleWithDynamicInterval(new PromptChecker());
        }
    }

    /** MERGE3's checker, run when a differing view has settled or the check interval has passed. */
    private final class PromptChecker extends ViewConsistencyChecker {
        @Override
        public void run() {
            long now = System.nanoTime();
            excludeLeftBehind(now);
            long since = differingSince.get();
            boolean prompt = since != 0 && now - since >= SETTLE_MS * 1_000_000
                    && now - lastComparison >= MIN_GAP_MS * 1_000_000;
            if (!prompt && now - lastComparison < check_interval * 1_000_000 || !comparing.compareAndSet(false, true)) {
                return;
            }
            try {
                lastComparison = now;
                super.run(); // compares, merges if the views differ, and forgets the views heard of
            } finally {
                comparing.set(false);
            }
        }

        @Override
        public long nextInterval() {
            return TICK_MS;
        }
    }
}
