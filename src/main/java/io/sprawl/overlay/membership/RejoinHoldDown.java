package io.sprawl.overlay.membership;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * How long a member that keeps failing stays out before it is taken back. A process that was FAILED and
 * comes back (a refutation, or its record re-published after a heal) is normally HEALTHY at once. One that
 * failed before within {@link #WINDOW_MS} is a flapping link or a lossy node (Rapid's flip-flop; memberlist
 * takes such a node back every time and the whole cluster oscillates with it): after its second failure its
 * return is held back for {@code base} from the moment it is back, after each further one twice as long, up
 * to {@code max}; a held member that drops out again starts its hold anew when it next returns. A new
 * process (a restart) is not flapping and is never held.
 *
 * <p>Only a failure of the member alone counts. Members that fail within {@link #TOGETHER_MS} of each other
 * went behind one cut (a partition, a rack's switch): their return is a heal, which must be quick (one table
 * and one leader within seconds), and it comes as one merge view, not one oscillation per member. Cut the same
 * side five times in eight minutes and each heal is still taken at once; cut one node's link on and off and
 * that node is held. Nor is anyone held while two or more, and at least half, of the other members failed in the
 * last minute as well: then the links are lossy everywhere, not this member's alone, and holding each one out
 * keeps the whole cluster apart after the network recovers (a minute of 30 % loss on every link held four of five
 * members out for up to 60 s each).
 *
 * <p>Pure bookkeeping on given times; not thread-safe: {@link MembershipManager} calls it under its monitor.
 */
final class RejoinHoldDown {

    /** Failures count towards the hold-down for this long. */
    static final long WINDOW_MS = 10 * 60_000;
    /** At most this many failures are kept per member: the hold-down reaches its maximum long before. */
    static final int KEPT = 16;
    /** Failures of two members this close in time are one cut's: the views of a partition come within ~1 s. */
    static final long TOGETHER_MS = 3_000;
    /**
     * Others failing this recently mean the links are lossy now: long enough to span a heal's returns, short enough
     * that a lossy minute is not held against a node that flaps alone minutes later.
     */
    static final long NOW_MS = 60_000;
    /** The longest hold-down, unless the base is longer: a minute out is plenty to stop an oscillation. */
    static final long MAX_MS = 60_000;

    private final long baseMillis;
    private final long maxMillis;
    private final Map<String, Deque<Long>> failures = new HashMap<>();

    /** @param baseMillis the hold-down after a second failure; 0 turns it off */
    RejoinHoldDown(long baseMillis, long maxMillis) {
        this.baseMillis = baseMillis;
        this.maxMillis = Math.max(baseMillis, maxMillis);
    }

    /** The member's process was found FAILED at {@code now}. */
    void failed(String id, long now) {
        if (baseMillis <= 0) {
            return;
        }
        Deque<Long> times = failures.computeIfAbsent(id, k -> new ArrayDeque<>());
        times.addLast(now);
        while (times.size() > KEPT || now - times.peekFirst() > WINDOW_MS) {
            times.pollFirst();
        }
    }

    /** How long a member with this many recent failures is held out when it returns; 0: not held. */
    long holdMillis(int recentFailures) {
        if (baseMillis <= 0 || recentFailures < 2) {
            return 0;
        }
        return Math.min(maxMillis, baseMillis << Math.min(30, recentFailures - 2));
    }

    /** The member's failures within the window before {@code now} that were its alone: no other member's near them. */
    int recentFailures(String id, long now) {
        Deque<Long> times = failures.get(id);
        return times == null ? 0 : (int) times.stream().filter(t -> now - t <= WINDOW_MS && !together(id, t)).count();
    }

    /**
     * How many of {@code others} failed in the last {@link #NOW_MS}, alone or not: under loss on every link the
     * verdicts come close together (most would not count as a member's own), and a member a node saw fail once
     * may have stayed out of its view since.
     */
    int failing(Collection<String> others, long now) {
        int n = 0;
        for (String other : others) {
            Deque<Long> times = failures.get(other);
            if (times != null && now - times.peekLast() <= NOW_MS) {
                n++;
            }
        }
        return n;
    }

    /** Whether another member failed within {@link #TOGETHER_MS} of this member's failure at {@code t}. */
    private boolean together(String id, long t) {
        for (Map.Entry<String, Deque<Long>> other : failures.entrySet()) {
            if (!other.getKey().equals(id)) {
                for (long u : other.getValue()) {
                    if (Math.abs(u - t) <= TOGETHER_MS) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** A new process of the member, or it is gone from the table: its history starts over. */
    void forget(String id) {
        failures.remove(id);
    }
}
