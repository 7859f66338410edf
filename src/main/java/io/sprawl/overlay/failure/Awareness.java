package io.sprawl.overlay.failure;

/**
 * Local health (Lifeguard's LHM, memberlist's awareness.go): a score from 0 (healthy) to a maximum.
 * Missed acks, missing nacks from the members relaying our probes, being suspected ourselves and
 * our own late timers raise it; every ack lowers it. Probe timeouts are multiplied by score + 1, so
 * a node that is itself slow gives others more time instead of accusing them.
 *
 * <p>Not thread-safe: owned by the {@link FailureDetector}, under its monitor.
 */
final class Awareness {

    private final int max;
    private int score;

    Awareness(int max) {
        this.max = max;
    }

    void apply(int delta) {
        score = Math.max(0, Math.min(max, score + delta));
    }

    int score() {
        return score;
    }
}
