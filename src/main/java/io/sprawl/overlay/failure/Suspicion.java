package io.sprawl.overlay.failure;

import java.util.HashSet;
import java.util.Set;

/**
 * One suspicion of one peer's incarnation (memberlist's suspicion.go): it starts at the longest
 * timeout and each independent confirmation brings its deadline closer, down to the shortest.
 *
 * <p>Not thread-safe: owned by the {@link FailureDetector}, under its monitor.
 */
final class Suspicion {

    /** The news as this node passes it on, and as its pings to the suspect carry it (Lifeguard's buddy system). */
    final Rumor rumor;
    final long incarnation;
    final long startedAt;
    final String reason;
    private final long minMillis;
    private final long maxMillis;
    private final int expected;
    private final Set<String> confirmers = new HashSet<>();
    /** Every member known to hold this suspicion too (its author, whoever passed it on): told first of a refutation. */
    private final Set<String> holders = new HashSet<>();
    private boolean graced;

    /**
     * @param firstSuspector the member whose suspicion started this one: it is not a confirmation
     */
    Suspicion(Rumor rumor, long startedAt, String firstSuspector, long minMillis, long maxMillis, int expected) {
        this.rumor = rumor;
        this.incarnation = rumor.incarnation();
        this.startedAt = startedAt;
        this.reason = rumor.cause().text;
        this.minMillis = minMillis;
        this.maxMillis = maxMillis;
        this.expected = expected;
        confirmers.add(firstSuspector);
        holders.add(firstSuspector);
        holders.add(rumor.from());
    }

    /** Another member suspects the same incarnation; returns whether it was new (the deadline moved). */
    boolean confirm(String from) {
        if (confirmers.size() - 1 >= expected) {
            return false;
        }
        return confirmers.add(from);
    }

    /** {@code member} holds this suspicion too (it told us, first- or second-hand). */
    void heldBy(String member) {
        holders.add(member);
    }

    Set<String> holders() {
        return holders;
    }

    int confirmations() {
        return confirmers.size() - 1;
    }

    long deadline() {
        return startedAt + DetectorMath.suspicionTimeoutMillis(minMillis, maxMillis, confirmations(), expected);
    }

    /**
     * A deadline seen late (this node was stalled) gets one grace period, so refutations waiting in the
     * socket buffers are read before the verdict. Returns whether this was the first time.
     */
    boolean takeGrace() {
        boolean first = !graced;
        graced = true;
        return first;
    }
}
