package io.sprawl.overlay.failure;

/**
 * The failure detector's timing formulas, in one place and free of state (after scalecube's
 * ClusterMath), so a table test pins each of them.
 */
public final class DetectorMath {

    /** No probe timeout below this, however fast a peer has answered: a scheduler tick and a context switch. */
    public static final long PROBE_TIMEOUT_FLOOR_MS = 10;

    /** The probe timeout for a known peer is this multiple of its p99 round trip. */
    public static final int RTT_TIMEOUT_MULTIPLIER = 3;

    /** Rumors are retransmitted (piggybacked) this multiple of log10(members + 1) times (memberlist's 4). */
    public static final int RETRANSMIT_MULTIPLIER = 4;

    private DetectorMath() {
    }

    /**
     * The shortest suspicion timeout, reached with every expected confirmation: multiplier x interval x
     * max(1, log10(members)). Grows with the logarithm of the cluster, as a rumor's spread does.
     */
    public static long suspicionMinMillis(int multiplier, long probeIntervalMillis, int members) {
        double scale = Math.max(1.0, Math.log10(Math.max(1, members)));
        return Math.round(multiplier * probeIntervalMillis * scale);
    }

    /** The longest suspicion timeout, the one a suspicion nobody confirms runs out on. */
    public static long suspicionMaxMillis(long minMillis, int maxMultiplier) {
        return minMillis * maxMultiplier;
    }

    /** Independent confirmations to expect: the setting, but never more than the other members can give. */
    public static int expectedConfirmations(int configured, int members) {
        return Math.max(0, Math.min(configured, members - 2));
    }

    /**
     * Lifeguard's suspicion timeout after {@code confirmations} independent suspicions: from the
     * maximum down to the minimum, logarithmically, reaching the minimum at {@code expected}. With
     * no confirmation possible (two members) waiting longer would gain nothing: the minimum.
     */
    public static long suspicionTimeoutMillis(long minMillis, long maxMillis, int confirmations, int expected) {
        if (expected < 1 || confirmations >= expected) {
            return minMillis;
        }
        double fraction = Math.log(confirmations + 1.0) / Math.log(expected + 1.0);
        long timeout = (long) Math.floor(maxMillis - fraction * (maxMillis - minMillis));
        return Math.max(minMillis, timeout);
    }

    /**
     * How long to wait for a direct ack: a peer with known round trips gets a multiple of its p99
     * (never below the floor nor above the configured timeout), an unknown one the configured timeout;
     * then local health scales it (score 0 leaves it as is).
     *
     * @param p99RttMillis the peer's p99 round trip, or a negative number when none is known yet
     */
    public static long probeTimeoutMillis(double p99RttMillis, long configuredMillis, int awarenessScore) {
        long base = configuredMillis;
        if (p99RttMillis >= 0) {
            long adaptive = (long) Math.ceil(RTT_TIMEOUT_MULTIPLIER * p99RttMillis);
            base = Math.min(configuredMillis, Math.max(PROBE_TIMEOUT_FLOOR_MS, adaptive));
        }
        return base * (awarenessScore + 1L);
    }

    /**
     * The least time the indirect probes get. The probes ride JGroups' TCP connections, where one lost segment
     * costs Linux's minimum retransmission timeout, 200 ms: with the indirect phase at 2 x a 10 ms direct
     * timeout, 10 % loss on every link failed about a fifth of all probes (657 suspicions a minute among five
     * nodes) and now and then one ran out unrefuted. A late direct ack still counts in this phase.
     */
    public static final long INDIRECT_TIMEOUT_FLOOR_MS = 250;

    /**
     * How long the indirect probes have, after the direct one timed out: two more direct timeouts (a relay is
     * two hops), at least {@link #INDIRECT_TIMEOUT_FLOOR_MS}.
     */
    public static long indirectTimeoutMillis(long probeTimeoutMillis) {
        return Math.max(INDIRECT_TIMEOUT_FLOOR_MS, 2 * probeTimeoutMillis);
    }

    /** How many times a rumor rides on outgoing messages before it is dropped from the queue. */
    public static int retransmits(int members) {
        return RETRANSMIT_MULTIPLIER * (int) Math.ceil(Math.log10(members + 1.0));
    }

    /**
     * Lateness beyond which a deadline is treated as this node's own stall (a pause, a starved
     * scheduler) rather than the peer's silence: two probe intervals.
     */
    public static long stallMillis(long probeIntervalMillis) {
        return 2 * probeIntervalMillis;
    }

    /**
     * The phi-accrual suspicion level (Hayashibara et al.) of a peer last heard {@code sinceLastMillis}
     * ago whose acks have arrived at intervals of this mean and standard deviation: -log10 of the
     * probability that a live peer stays silent this long, under a normal approximation (Akka's).
     */
    public static double phi(long sinceLastMillis, double meanMillis, double stdDevMillis) {
        double sd = Math.max(stdDevMillis, Math.max(1.0, meanMillis / 10));
        double y = (sinceLastMillis - meanMillis) / sd;
        double e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
        double p = sinceLastMillis > meanMillis ? e / (1.0 + e) : 1.0 - 1.0 / (1.0 + e);
        return -Math.log10(Math.max(p, 1e-300));
    }
}
