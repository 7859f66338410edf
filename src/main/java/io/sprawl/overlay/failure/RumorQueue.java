package io.sprawl.overlay.failure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recent rumors waiting to ride on outgoing probes and acks (memberlist's TransmitLimitedQueue):
 * the newest rumor per node only, the least-sent first, each dropped after its retransmit limit.
 *
 * <p>Not thread-safe: owned by the {@link FailureDetector}, under its monitor.
 */
final class RumorQueue {

    private static final class Entry {
        final Rumor rumor;
        final long order;
        int sent;

        Entry(Rumor rumor, long order) {
            this.rumor = rumor;
            this.order = order;
        }
    }

    private final Map<String, Entry> byNode = new HashMap<>();
    private long added;

    /** Queues the rumor unless one already queued about the same node is newer. */
    void add(Rumor r) {
        Entry current = byNode.get(r.node());
        if (current == null || r.supersedes(current.rumor)) {
            byNode.put(r.node(), new Entry(r, added++));
        }
    }

    /** Drops what is queued about {@code node}. */
    void forget(String node) {
        byNode.remove(node);
    }

    /** Up to {@code max} rumors for one outgoing message; each counts as sent once. */
    List<Rumor> take(int max, int retransmitLimit) {
        if (byNode.isEmpty()) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>(byNode.values());
        // Least sent first; among equals, the newest.
        entries.sort(Comparator.comparingInt((Entry e) -> e.sent).thenComparing(e -> -e.order));
        List<Rumor> out = new ArrayList<>(Math.min(max, entries.size()));
        for (Entry e : entries) {
            if (out.size() == max) {
                break;
            }
            out.add(e.rumor);
            if (++e.sent >= retransmitLimit) {
                byNode.remove(e.rumor.node());
            }
        }
        return out;
    }
}
