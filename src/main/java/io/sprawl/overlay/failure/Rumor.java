package io.sprawl.overlay.failure;

/**
 * A piece of failure-detection news, spread by broadcast and piggybacked on probes and acks:
 * {@code node}'s {@code incarnation} is suspected, alive (a refutation), or failed, as {@code from} says.
 *
 * @param pauseMillis in a node's refutation of itself, the longest pause of its own it has seen lately
 *                    (its {@link PauseHistory}): the others wait that much longer before they declare it
 *                    FAILED. 0 otherwise, and always on the wire of protocol version 1.
 */
public record Rumor(Kind kind, String node, long incarnation, String from, Cause cause, long pauseMillis) {

    public Rumor(Kind kind, String node, long incarnation, String from, Cause cause) {
        this(kind, node, incarnation, from, cause, 0);
    }

    public enum Kind {
        SUSPECT, ALIVE, FAILED
    }

    /** Why the news: shown in the events history of every node that learns it. */
    public enum Cause {
        DIRECT_TIMEOUT("direct timeout"),
        INDIRECT_TIMEOUT("indirect timeout"),
        SUSPICION_TIMEOUT("suspicion timeout"),
        REFUTED("refuted"),
        PROCESS_GONE("process gone");

        public final String text;

        Cause(String text) {
            this.text = text;
        }
    }

    /** Whether this rumor makes {@code other} (about the same node) old news. */
    boolean supersedes(Rumor other) {
        if (incarnation != other.incarnation) {
            return incarnation > other.incarnation;
        }
        // Same incarnation: failed beats suspect beats alive (memberlist's precedence).
        return rank(kind) >= rank(other.kind);
    }

    private static int rank(Kind k) {
        return switch (k) {
            case ALIVE -> 0;
            case SUSPECT -> 1;
            case FAILED -> 2;
        };
    }
}
