package io.sprawl.overlay.failure;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * This node's own pauses (a stop-the-world GC, a starved or stolen CPU, SIGSTOP), seen as gaps in its
 * probe timer, and the allowance it asks of the others from them: its longest pause of the last
 * {@link #WINDOW_MS}, capped. A node paused once is likely to be paused again as long (the same heap,
 * the same noisy host); Lifeguard's local health makes a slow prober patient, this makes the others
 * patient with a node that is paused often.
 *
 * <p>Not thread-safe: owned by the {@link FailureDetector}, under its monitor.
 */
final class PauseHistory {

    /** How long a pause is remembered: long enough to span several GC cycles, short enough to be forgiven. */
    static final long WINDOW_MS = 10 * 60_000;

    /** Pauses kept; older ones fall off (the longest of a window this many deep is what counts). */
    static final int MAX_PAUSES = 16;

    private record Pause(long at, long millis) {
    }

    private final long capMillis;
    private final Deque<Pause> pauses = new ArrayDeque<>();

    /** @param capMillis the largest allowance asked for, whatever the pauses (0: none is ever asked) */
    PauseHistory(long capMillis) {
        this.capMillis = capMillis;
    }

    /** A pause of {@code millis} that ended at {@code now}. */
    void record(long now, long millis) {
        if (millis <= 0) {
            return;
        }
        if (pauses.size() == MAX_PAUSES) {
            pauses.removeFirst();
        }
        pauses.addLast(new Pause(now, millis));
    }

    /** The longest pause of the window ending at {@code now}, capped; 0 when none. */
    long allowanceMillis(long now) {
        long longest = 0;
        for (Pause p : pauses) {
            if (now - p.at <= WINDOW_MS) {
                longest = Math.max(longest, p.millis);
            }
        }
        return Math.min(longest, capMillis);
    }

    int size() {
        return pauses.size();
    }
}
