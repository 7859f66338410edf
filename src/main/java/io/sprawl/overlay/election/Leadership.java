package io.sprawl.overlay.election;

import io.sprawl.overlay.config.LeaderConfig;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node's part in the election: terms and the lease, on top of {@link Candidates}' choice and
 * {@link ClaimRules}' decisions.
 *
 * <ul>
 *   <li><b>Majority.</b> Only a side the {@link LeaderStore} finds available leads: in a server,
 *       Infinispan's verdict that this side holds a strict majority of the last agreed (stable)
 *       membership, made at each view change, and the view holding a majority of the last quiet topology
 *       until Infinispan has made it. A minority side shows no leader and writes nothing.</li>
 *   <li><b>Terms.</b> Every change of leader (also to none) is a conditional write of the record
 *       with the next term, expecting the record read: of two nodes that try, one wins, so no term
 *       ever has two leaders. Callers fence a stale leader by its term.</li>
 *   <li><b>Who writes.</b> {@link ClaimRules}, a pure function of one check: the first leader claims
 *       term 1, the sitting leader renews and hands over itself, another node claims only when the
 *       sitting leader is not live in its table <i>and</i> the record has gone unrenewed for a lease
 *       (plus {@link #MAX_DRIFT}), and a term changes only while the cluster is settled
 *       ({@link TermGuard}). This class sequences those writes: one in flight at a time.</li>
 *   <li><b>Lease.</b> The leader acts ({@link #isLeader}) for {@code lease} from the start of its last
 *       renewal that succeeded; a renewal succeeds only when every member of an available side took
 *       it. A leader cut off in a minority, paused, or whose renewals fail stops acting when the lease
 *       runs out; one that hands over stops at once.</li>
 * </ul>
 *
 * <p>Threads. Every check, write completion and step-down runs on the one election thread (the
 * executor given runs one task at a time), which owns the fields marked so; the timer and listeners
 * only queue a check (one at most), operators' requests are bounded ({@link #admit}). Readers
 * ({@link #view}, {@link #isLeader}) read the volatile {@code held}.
 */
public final class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class.getName());

    /**
     * How far two nodes' monotonic clocks may drift apart over one lease, as a fraction of it. The leader
     * acts for a lease on its clock; another node claims only after a lease plus this on its own clock, so
     * a leader whose clock runs slow has stopped before a claimant whose clock runs fast begins. Crystal
     * clocks drift by parts per million; 2 % also covers a VM clock that is stepped or slewed, for 20 ms
     * more per failover at a 1 s lease.
     */
    public static final double MAX_DRIFT = 0.02;

    /**
     * Leases after which a write of the record that has not come back is given up on. Infinispan answers
     * within its remote timeout (a lease) or after one more topology; a write that never completes must
     * not hold the election (and every check after it) forever. What the store holds then decides, as for
     * a write that failed; the write's own late answer is ignored.
     */
    static final int WRITE_GIVE_UP_LEASES = 5;

    /** Requests that may wait for a write in flight: an operator's, so a handful is plenty. */
    static final int MAX_WAITING = 16;

    static final String NO_MAJORITY = "no majority: this side holds less than half of the last agreed membership,"
            + " so it has no leader (the leader record is unavailable here)";

    /** Told of every change of the leader this node shows, on the election thread. */
    @FunctionalInterface
    public interface Events {
        void leaderChanged(String previous, String leader, long term, String reason);
    }

    /**
     * What this node shows: the {@code /overlay/api/leader} body.
     *
     * @param leader    the leader's id, null for none (also on a minority side)
     * @param since     when the term began (epoch ms), or when this node lost the majority
     * @param majority  whether this node's side holds the majority
     * @param isLeader  whether this node is the leader and holds a lease now
     * @param renewedAt the leader's last renewal (epoch ms, its clock)
     * @param actingSince when this node began to hold its lease without a break (epoch ms), 0 unless isLeader
     */
    public record View(String self, String leader, long term, long since, String reason, boolean majority,
                       boolean isLeader, long renewedAt, long actingSince) {
    }

    /** A request the leadership turned down (step down on a node that does not lead, with no successor...). */
    public static final class Refused extends RuntimeException {
        private final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * What readers see; replaced whole. {@code leaseUntil} is on the {@code nanos} clock, 0 for none;
     * {@code actingSince} (epoch ms) when this node's current run of leases began.
     */
    private record Held(LeaderRecord record, boolean majority, long lostMajorityAt, long leaseUntil,
                        long actingSince) {

        Held withoutLease() {
            return new Held(record, majority, lostMajorityAt, 0, 0);
        }
    }

    private final String selfId;
    private final LeaderConfig config;
    private final LeaderStore store;
    private final Supplier<List<Member>> members;
    private final Supplier<Map<String, Double>> load;
    private final Supplier<String> coordinator;
    private final Predicate<String> provenGone;
    private final Clock wall;
    private final LongSupplier nanos;
    private final Executor election;
    private final Events events;
    private final BooleanSupplier settled;
    private final long leaseNanos;
    /** A lease and the drift allowance: how long a record must go unrenewed before another node claims. */
    private final long claimAfterNanos;
    private final long renewEveryNanos;
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private final AtomicBoolean merged = new AtomicBoolean();
    /** Operators' requests not answered yet. */
    private final AtomicInteger requests = new AtomicInteger();

    private volatile Held held = new Held(null, true, 0, 0, 0);
    private volatile long lastCheckAt;

    // Owned by the election thread.
    private LeaderRecord seen;
    private long seenAt;
    /** The write in flight, one at a time (null: none); its answer counts only while it is this one. */
    private Write inFlight;
    /** Requests that came while a write was in flight: run, in order, right after it ({@link #admit} bounds them). */
    private final ArrayDeque<Runnable> afterWrite = new ArrayDeque<>();
    /** Whether the last check found this node acting, to tell when its lease ran out. */
    private boolean wasActing;
    private long renewStartedAt;
    /** Conditional writes in a row refused although this node's copy was what they expected ({@link #written}). */
    private int refusedOverOwnCopy;
    private String shownLeader;
    private long shownTerm = -1;
    private boolean shownMajority = true;
    /** The last term this node said it claims. */
    private long claimedTerm;
    /**
     * The highest term this node has read or written. A merge may keep a side's stale copy of the record (a lower
     * term than the other side had named); the next term then goes past this one, so no term is named twice.
     */
    private long highestTerm;
    /** The leader this node saw first in {@link #highestTerm} ("" for none): a term is never named with another. */
    private String highestTermLeader = "";
    /** The stale term last logged, so its renewals are not logged again. */
    private long staleTermShown = -1;
    /** The last reason logged for not claiming a vacant leadership yet. */
    private String shownVacancy;

    /**
     * @param members  this node's member table
     * @param load     each member's forecast load in [0, 1] from the shared metrics
     * @param coordinator the transport id of the transport's coordinator, or null ({@link Candidates})
     * @param provenGone whether a member is FAILED with its process proven gone, not merely silent (the detector's)
     * @param nanos    a monotonic clock for the lease (System::nanoTime; a simulated one in tests)
     * @param election runs one task at a time: the election thread
     * @param settled  whether a term may change now (see the class comment)
     */
    public Leadership(String selfId, LeaderConfig config, LeaderStore store, Supplier<List<Member>> members,
                      Supplier<Map<String, Double>> load, Supplier<String> coordinator, Predicate<String> provenGone,
                      Clock wall, LongSupplier nanos, Executor election, Events events, BooleanSupplier settled) {
        this.selfId = selfId;
        this.config = config;
        this.store = store;
        this.members = members;
        this.load = load;
        this.coordinator = coordinator;
        this.provenGone = provenGone;
        this.wall = wall;
        this.nanos = nanos;
        this.election = election;
        this.events = events;
        this.settled = settled;
        this.leaseNanos = TimeUnit.MILLISECONDS.toNanos(config.leaseMillis());
        this.claimAfterNanos = (long) (leaseNanos * (1 + MAX_DRIFT));
        this.renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(config.checkIntervalMillis()) / 2;
        this.renewStartedAt = nanos.getAsLong() - leaseNanos;
    }

    // ---- inputs -------------------------------------------------------------------------------

    /** Queues a check unless one is queued already: the timer's tick, a membership event, a record change. */
    public void recheck() {
        if (checkQueued.compareAndSet(false, true) && !run(() -> {
            checkQueued.set(false);
            check();
        })) {
            checkQueued.set(false); // refused (the thread is far behind): the next recheck queues it, not never
        }
    }

    /**
     * Partitions merged. Two sides that formed apart (a discovery failure at start) may each have
     * had a leader in the same term; the record that survives the merge names one of them, and its
     * leader moves to the next term at once, so a request stamped by the other is fenced by its term.
     */
    public void merged() {
        merged.set(true);
        recheck();
    }

    /**
     * Steps down: hands the leadership to the best other eligible member, which the record names as
     * chosen by this step-down, and which this node does not take back during that term. Completes
     * with the new view, or with {@link Refused} when this node does not lead or no one can take over.
     */
    public CompletableFuture<View> stepDown() {
        CompletableFuture<View> done = new CompletableFuture<>();
        if (admit(done) && !run(() -> stepDown(done))) {
            done.completeExceptionally(refusedBusy());
        }
        return done;
    }

    private void stepDown(CompletableFuture<View> done) {
        if (inFlight != null) {
            afterWrite.add(() -> stepDown(done)); // a renewal is in flight: right after it
            return;
        }
        Held h = held;
        if (!acting(h)) {
            String leader = h.record == null ? null : h.record.leaderId();
            done.completeExceptionally(new Refused("not-leader", selfId + " is not the leader"
                    + (leader == null ? "; there is none now" : "; the leader is " + leader + " (term "
                    + h.record.term() + "): ask it")));
            return;
        }
        if (!settled.getAsBoolean()) {
            done.completeExceptionally(new Refused("busy", "the membership is changing (a member is failing,"
                    + " joining or being merged); try again in a moment"));
            return;
        }
        Candidates.Decision d = decide(h.record, Set.of(selfId), null);
        if (d.leader() == null) {
            done.completeExceptionally(new Refused("no-successor", selfId + " cannot step down: "
                    + d.reason() + " among the other members"));
            return;
        }
        handOver(h.record, d.leader(), "step-down of " + selfId + ": " + d.reason(), selfId, ok -> {
            if (ok) {
                done.complete(view());
            } else {
                done.completeExceptionally(new Refused("conflict",
                        "the leader record changed during the step-down; see the current leader"));
            }
        });
    }

    /** Before this node leaves: hands over if it leads (completes at once otherwise). */
    public CompletableFuture<Void> handOverBeforeLeaving() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (admit(done) && !run(() -> handOverBeforeLeaving(done))) {
            done.completeExceptionally(refusedBusy());
        }
        return done;
    }

    /**
     * Takes a place for an operator's request (a step-down, a leave) until it is answered; refuses it when
     * {@link #MAX_WAITING} are unanswered. So the election thread's queue does not fill: besides these it
     * holds at most one check, one write completion and the election's own rare tasks; should it fill all the
     * same, a refused request is answered "busy" and a refused check is queued again at the next recheck.
     */
    private boolean admit(CompletableFuture<?> done) {
        if (requests.incrementAndGet() > MAX_WAITING) {
            requests.decrementAndGet();
            done.completeExceptionally(new Refused("busy", MAX_WAITING + " step-down or leave requests are already"
                    + " waiting for the leader record; try again in a moment"));
            return false;
        }
        done.whenComplete((v, e) -> requests.decrementAndGet());
        return true;
    }

    private void handOverBeforeLeaving(CompletableFuture<Void> done) {
        if (inFlight != null) {
            afterWrite.add(() -> handOverBeforeLeaving(done));
            return;
        }
        Held h = held;
        if (h.record == null || !selfId.equals(h.record.leaderId()) || !h.majority || !settled.getAsBoolean()) {
            done.complete(null); // nothing to hand over, or not now: the others claim once the lease ran out
            return;
        }
        Candidates.Decision d = decide(h.record, Set.of(selfId), null);
        handOver(h.record, d.leader(), selfId + " is leaving: " + d.reason(), "", ok -> done.complete(null));
    }

    // ---- reads (any thread) -------------------------------------------------------------------

    public View view() {
        Held h = held;
        LeaderRecord r = h.record;
        long term = r == null ? 0 : r.term();
        long renewedAt = r == null ? 0 : r.renewedAt();
        if (!h.majority) {
            return new View(selfId, null, term, h.lostMajorityAt, NO_MAJORITY, false, false, renewedAt, 0);
        }
        if (r == null) {
            return new View(selfId, null, 0, 0, "no leader elected yet", true, false, 0, 0);
        }
        boolean acting = acting(h);
        return new View(selfId, r.leaderId(), term, r.since(), r.reason(), true, acting, renewedAt,
                acting ? h.actingSince : 0);
    }

    /** Whether this node leads and holds its lease now: the only time it may act as the leader. */
    public boolean isLeader() {
        return acting(held);
    }

    /** The current term as this node knows it: a request stamped with a lower one comes from a stale leader. */
    public long term() {
        LeaderRecord r = held.record;
        return r == null ? 0 : r.term();
    }

    /** Whether this side holds the majority. */
    public boolean inMajority() {
        return held.majority;
    }

    /** Epoch ms of the last completed check, 0 before the first: liveness watches it. */
    public long lastCheckAt() {
        return lastCheckAt;
    }

    // ---- the election thread ------------------------------------------------------------------

    private void check() {
        long now = nanos.getAsLong();
        boolean majority = store.available();
        LeaderRecord rec = store.read();
        if (!Objects.equals(rec, seen)) {
            seen = rec;
            seenAt = now;
            noteTerm(rec);
        }
        Held h = held;
        lastCheckAt = wall.millis();
        if (!majority) {
            publish(new Held(rec, false, h.majority ? wall.millis() : h.lostMajorityAt, 0, 0));
            noteLease("this side lost the majority");
            return;
        }
        String sitting = rec == null ? null : rec.leaderId();
        boolean mine = selfId.equals(sitting);
        publish(mine ? new Held(rec, true, 0, h.leaseUntil, h.actingSince) : new Held(rec, true, 0, 0, 0));
        noteLease(mine ? "its lease ran out: no renewal was taken by every member within "
                + config.leaseMillis() + " ms" : "the record names " + sitting);
        if (inFlight != null) {
            if (now - inFlight.startedAt() > WRITE_GIVE_UP_LEASES * leaseNanos) {
                Write w = inFlight;
                LOG.warning(() -> selfId + " gives up waiting for its write of leader term " + w.next().term() + " ("
                        + w.next().leader() + ") after " + TimeUnit.NANOSECONDS.toMillis(now - w.startedAt())
                        + " ms; what the leader cache holds decides");
                written(w, false, new TimeoutException("no answer from the leader cache"));
            }
            return;
        }
        if (stale(rec) && settled.getAsBoolean()) {
            // Any node that saw the later term moves the record past it; the conditional write lets one of them.
            write(rec, rec.lifted(highestTerm), now, null);
            return;
        }
        if (!mine) {
            merged.set(false); // only the leader moves to a new term after a merge
        }
        List<Member> table = members.get();
        Candidates.Decision d = decide(rec, rec == null || rec.steppedDown().isEmpty() ? Set.of()
                : Set.of(rec.steppedDown()), table);
        boolean unrenewed = now - seenAt >= claimAfterNanos;
        boolean gone = sitting != null && !unrenewed && provenGone.test(sitting);
        boolean sittingLive = sitting != null && live(sitting, table);
        boolean termMayChange = settled.getAsBoolean();
        ClaimRules.Action action = ClaimRules.next(new ClaimRules.Situation(selfId, sitting, rec != null, d.leader(),
                termMayChange, merged.get(), sittingLive, unrenewed, gone,
                selfId.equals(firstHealthy(table)), now - renewStartedAt >= renewEveryNanos));
        noteVacancy(action == ClaimRules.Action.WAIT && sitting != null && !sittingLive && selfId.equals(d.leader())
                ? "the leader " + sitting
                + " is gone and this node is the best candidate; it waits: " + (termMayChange ? "" : "the cluster is"
                + " not settled (" + (settled instanceof TermGuard g ? g.unsettled() : "the term guard") + "); ")
                + (gone ? "its process is proven gone" : unrenewed ? "its lease ran out" : "its lease may still run")
                : null);
        String why = gone ? d.reason() + "; " + sitting + "'s process is gone, no lease to wait out" : d.reason();
        switch (action) {
            case WAIT -> {
            }
            case CLAIM_FIRST -> write(null, LeaderRecord.first(selfId, wall.millis(), d.reason()), now, null);
            case RENEW -> write(rec, rec.renewed(wall.millis()), now, null);
            case HAND_OVER -> handOver(rec, d.leader(), d.reason(), "", null);
            case NEW_TERM_AFTER_MERGE -> {
                merged.set(false);
                write(rec, nextTerm(rec, selfId, "kept after a merge of partitions: " + d.reason(), false, ""), now,
                        null);
            }
            case CLAIM -> {
                // Said when first asked, not only when taken: how long a claim takes is half of a failover.
                LeaderRecord claim = nextTerm(rec, selfId, why, false, "");
                if (claim.term() != claimedTerm) {
                    claimedTerm = claim.term();
                    String owner = store.owner();
                    LOG.info(() -> selfId + " claims leader term " + claim.term() + ": " + why
                            + (owner.isEmpty() ? "" : " (the record's primary copy is at " + owner + ")"));
                }
                write(rec, claim, now, null, gone);
            }
            case END_TERM -> write(rec, nextTerm(rec, "", why, false, ""), now, null, gone);
        }
    }

    private Candidates.Decision decide(LeaderRecord rec, Set<String> notCandidates, List<Member> table) {
        boolean servedTenure = rec == null || wall.millis() - rec.since() >= config.minTenureMillis();
        return Candidates.decide(table == null ? members.get() : table, rec == null ? null : rec.leaderId(),
                load.get(), config.preferredSite(), config.hysteresis(), notCandidates, servedTenure,
                coordinator.get());
    }

    /** Says so, once, when this node stops acting as the leader other than by handing over. */
    /** Logs, once per change, why the best candidate does not claim a vacant leadership yet (null: nothing to say). */
    private void noteVacancy(String why) {
        if (why != null && !why.equals(shownVacancy)) {
            LOG.info(() -> selfId + ": " + why);
        }
        shownVacancy = why;
    }

    private void noteLease(String why) {
        boolean acting = acting(held);
        if (wasActing && !acting) {
            LOG.warning(() -> selfId + " stops acting as the leader (term " + term() + "): " + why);
        }
        wasActing = acting;
    }

    /** The sitting leader stops acting now, then writes the next term naming {@code next} (null for none). */
    private void handOver(LeaderRecord rec, String next, String why, String steppedDown, Consumer<Boolean> after) {
        Held h = held;
        publish(h.withoutLease());
        wasActing = false; // on purpose: no warning
        write(rec, nextTerm(rec, next == null ? "" : next, "handed over by " + selfId + ": " + why, true, steppedDown),
                nanos.getAsLong(), after);
    }

    /** The term after {@code rec}'s, past every term this node has seen. */
    private LeaderRecord nextTerm(LeaderRecord rec, String leader, String why, boolean handOver, String steppedDown) {
        return rec.next(leader, wall.millis(), why, handOver, steppedDown).above(highestTerm);
    }

    /** Remembers the highest term and its leader, and says so when the record went back (once per stale term). */
    private void noteTerm(LeaderRecord rec) {
        if (rec == null) {
            return;
        }
        if (stale(rec)) {
            if (rec.term() == staleTermShown) {
                return; // its renewals
            }
            staleTermShown = rec.term();
            long highest = highestTerm;
            String leader = highestTermLeader;
            // Lower: a copy went back. The same term with another leader is also what a merge of two clusters that
            // formed apart leaves on the side whose term-1 record lost: said, not warned.
            LOG.log(rec.term() < highest ? Level.WARNING : Level.INFO, () -> selfId + " reads leader term "
                    + rec.term() + " (" + rec.leader() + ") after term " + highest + " (" + leader + "): the record"
                    + " is moved past " + highest + " so that no term is named twice");
            return;
        }
        if (rec.term() > highestTerm) {
            highestTermLeader = rec.leader();
        }
        highestTerm = Math.max(highestTerm, rec.term());
    }

    /** Whether the record names a term below one this node saw, or the term it saw with another leader. */
    private boolean stale(LeaderRecord rec) {
        return rec != null && (rec.term() < highestTerm
                || rec.term() == highestTerm && !rec.leader().equals(highestTermLeader));
    }

    /**
     * A write of the record: what it expects and writes, when it began (this node's monotonic clock), who waits for
     * it.
     */
    private record Write(LeaderRecord expected, LeaderRecord next, long startedAt, Consumer<Boolean> after) {
    }

    /**
     * How many conditional writes in a row may be refused over this node's own copy before the copies are made one:
     * one may cross another node's write still on its way here; two in a row, a check apart, do not.
     */
    static final int REFUSALS_BEFORE_RECONCILE = 2;

    private void write(LeaderRecord expected, LeaderRecord next, long startedAt, Consumer<Boolean> after) {
        write(expected, next, startedAt, after, false);
    }

    /**
     * @param overGone the sitting leader's process is proven gone: its last renewal may have reached some copies of
     *                 the record and not others, so the write expects its term and leader only
     *                 ({@link LeaderStore#replaceTerm}); it renews no more, so no lease of it is cut short
     */
    private void write(LeaderRecord expected, LeaderRecord next, long startedAt, Consumer<Boolean> after,
                       boolean overGone) {
        Write write = new Write(expected, next, startedAt, after);
        inFlight = write;
        CompletionStage<Boolean> w;
        try {
            w = overGone ? store.replaceTerm(expected, next) : store.compareAndSet(expected, next);
        } catch (RuntimeException e) {
            w = CompletableFuture.failedFuture(e);
        }
        w.whenComplete((ok, err) -> run(() -> {
            if (inFlight == write) { // not given up on
                written(write, Boolean.TRUE.equals(ok), err);
            }
        }));
    }

    private void written(Write write, boolean ok, Throwable err) {
        LeaderRecord next = write.next();
        long startedAt = write.startedAt();
        Consumer<Boolean> after = write.after();
        inFlight = null;
        // A write that failed on its way back may have been applied: what the store holds decides.
        LeaderRecord copy = store.read();
        boolean applied = ok || next.equals(copy);
        refusedOverOwnCopy = !ok && err == null && Objects.equals(write.expected(), copy) ? refusedOverOwnCopy + 1 : 0;
        if (refusedOverOwnCopy >= REFUSALS_BEFORE_RECONCILE) {
            // The key's primary holds another record than this node's copy: a write cut off half-way stayed where
            // it reached (FaultSuiteIT after 30 % loss: one member held term 6, the rest term 5, for minutes, the
            // leader's renewals refused and every claim too). Only a merge resolves conflicts by itself.
            refusedOverOwnCopy = 0;
            String done = store.reconcile();
            LOG.warning(() -> selfId + ": a write expecting this node's copy of the leader record (term "
                    + (copy == null ? 0 : copy.term()) + ") was refused " + REFUSALS_BEFORE_RECONCILE
                    + " times in a row; the copies differ, made one: " + done);
        }
        if (applied) {
            noteTerm(next);
            if (selfId.equals(next.leaderId())) {
                // The next renewal is paced from this one, whether or not it extends the lease.
                renewStartedAt = startedAt;
            }
            // Only a write every member took extends the lease. One that failed on its way back may stand in this
            // node's copy alone (its primary applied it, the members behind a cut never got it): counted, it let a
            // leader cut off in a 5+4 partition act on after the five had elected (leader benchmark's sampler). And
            // only on a side that holds the majority (CacheLeaderStore.available): the next check would end the
            // lease there anyway; this only closes the moment between this write's answer and that check.
            if (ok && selfId.equals(next.leaderId()) && store.available()) {
                Held h = held;
                // A lease still running when this write began continues the run; otherwise one begins now.
                long since = h.leaseUntil > startedAt ? h.actingSince : wall.millis();
                publish(new Held(h.record, h.majority, h.lostMajorityAt, startedAt + leaseNanos, since));
            }
            check();
        } else if (err != null) {
            // Expected while a view changes (a member left mid-write); the next check tries again.
            LOG.info(() -> selfId + " could not write leader term " + next.term() + " (" + next.leader() + "): " + err);
        }
        if (after != null) {
            after.accept(applied);
        }
        // Each queued request runs once; one that finds a write in flight again queues itself again.
        for (int i = afterWrite.size(); i > 0 && inFlight == null; i--) {
            afterWrite.poll().run();
        }
    }


    /** Publishes what readers see, and tells of a change of the leader shown (or of the majority). */
    private void publish(Held h) {
        held = h;
        String leader = h.majority && h.record != null ? h.record.leaderId() : null;
        long term = h.record == null ? 0 : h.record.term();
        if (Objects.equals(leader, shownLeader) && term == shownTerm && h.majority == shownMajority) {
            return;
        }
        String previous = shownLeader;
        shownLeader = leader;
        shownTerm = term;
        shownMajority = h.majority;
        if (!h.majority || h.record != null) {
            String reason = view().reason();
            LOG.info(() -> selfId + " shows leader " + leader + " (term " + term + "): " + reason);
            events.leaderChanged(previous, leader, term, reason);
        }
    }

    private boolean acting(Held h) {
        return h.majority && h.record != null && selfId.equals(h.record.leaderId()) && nanos.getAsLong() < h.leaseUntil;
    }

    private static boolean live(String id, List<Member> table) {
        return table.stream().anyMatch(m -> m.id().equals(id) && m.state().live());
    }

    private static String firstHealthy(List<Member> table) {
        return table.stream().filter(m -> m.state() == MemberState.HEALTHY).map(Member::id)
                .min(Comparator.naturalOrder()).orElse(null);
    }

    private static Refused refusedBusy() {
        return new Refused("busy", "the election thread is stopped or far behind; try again in a moment");
    }

    /** Queues the task on the election thread; false when the executor refused it (full, or stopped). */
    private boolean run(Runnable task) {
        try {
            election.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "election check of " + selfId + " failed", e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false; // stopped: nothing more to decide; full: the caller's next call tries again
        }
    }
}
