package io.sprawl.overlay.membership;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} membership events, oldest dropped first. Thread-safe (its own monitor). */
final class EventHistory {

    private final int capacity;
    private final ArrayDeque<MembershipEvent> events;
    private long nextSeq = 1;

    EventHistory(int capacity) {
        this.capacity = capacity;
        this.events = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    synchronized MembershipEvent append(long time, String node, MemberState from, MemberState to, String reason,
                                        long incarnation) {
        return add(new MembershipEvent(nextSeq++, time, node, from, to, reason, incarnation));
    }

    synchronized MembershipEvent appendLeader(long time, String previous, String leader, long term, String reason) {
        return add(new MembershipEvent(nextSeq++, time, leader, null, null, reason, 0, MembershipEvent.LEADER, term,
                previous));
    }

    synchronized MembershipEvent appendOperator(long time, String operator, String action) {
        return add(new MembershipEvent(nextSeq++, time, operator, null, null, action, 0, MembershipEvent.OPERATOR,
                null, null));
    }

    private MembershipEvent add(MembershipEvent e) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(e);
        return e;
    }

    /** Events with a sequence number above {@code seq}, oldest first. */
    synchronized List<MembershipEvent> since(long seq) {
        List<MembershipEvent> out = new ArrayList<>();
        for (MembershipEvent e : events) {
            if (e.seq() > seq) {
                out.add(e);
            }
        }
        return out;
    }
}
