package io.sprawl.overlay.election;

/**
 * When this node writes the leader record, as a pure function of what it knows at one check. Who
 * should lead is {@link Candidates}'s answer ({@code best}); these rules say whether this node may
 * act on it now, so that a term never has two leaders and a lease is never overlapped:
 *
 * <ul>
 *   <li>The first leader claims term 1; only the best candidate writes it.</li>
 *   <li>The sitting leader renews its own record when a renewal is due, hands over itself when
 *       another is best (a better candidate, or it is no longer eligible), and after a merge of
 *       partitions moves to the next term so a request stamped by the other side's leader is fenced.</li>
 *   <li>Another node claims only when the sitting leader is not live in its table <i>and</i> the record
 *       has gone unrenewed for a whole lease: the old leader stopped acting by then, whatever it
 *       believes. When no one is eligible, the first healthy member ends the term (a record naming
 *       none), so the failed leader's term ends on every node.</li>
 *   <li>Or, without the wait, when the old leader's process is proven gone: its kernel closed its sockets
 *       (the transport saw its failure-detection connection end in order, or nothing listens on its port on
 *       this host). The lease exists because a leader that went silent may still be acting: paused, cut
 *       off, or slow; it stops by itself when the lease runs out. A process that exited acts no more, so
 *       the lease protects nothing, and the term still changes only while the cluster is settled. A silence
 *       (a host that lost power, a DROPping firewall) proves nothing and waits the lease out.</li>
 *   <li>A term changes only while the cluster is settled ({@link TermGuard}); renewals need not wait.</li>
 * </ul>
 *
 * <p>Only decisions live here; {@link Leadership} sequences the writes and keeps the lease.
 */
public final class ClaimRules {

    private ClaimRules() {
    }

    /** What this node writes at this check. */
    public enum Action {
        /** Nothing now. */
        WAIT,
        /** The first record of the cluster: term 1, this node. */
        CLAIM_FIRST,
        /** The same term, renewed: this node leads on. */
        RENEW,
        /** The next term, naming the best other candidate (or none), written by this leader itself. */
        HAND_OVER,
        /** The next term, still this node: the leader that survived a merge. */
        NEW_TERM_AFTER_MERGE,
        /** The next term, this node: the sitting leader is gone and its lease has run out. */
        CLAIM,
        /** The next term, naming none: the sitting leader is gone and no one is eligible. */
        END_TERM
    }

    /**
     * What one check knows.
     *
     * @param self              this node's id
     * @param sitting           the leader the record names; null for none, or no record
     * @param recordExists      whether a leader record was ever written
     * @param best              who should lead ({@link Candidates}); null for no one
     * @param termMayChange     the cluster is settled ({@link TermGuard})
     * @param merged            partitions merged since this leader's last term
     * @param sittingLive       the sitting leader is HEALTHY or SUSPECT in this node's table
     * @param unrenewedForLease the record has not changed for a whole lease and the drift allowance
     *                          ({@link Leadership#MAX_DRIFT}), on this node's clock
     * @param sittingProvenGone the sitting leader is FAILED and its process proven gone (not merely silent)
     * @param firstHealthy      this node has the smallest id of the HEALTHY members
     * @param renewalDue        half a check interval has passed since this leader's last renewal began
     */
    public record Situation(String self, String sitting, boolean recordExists, String best, boolean termMayChange,
                            boolean merged, boolean sittingLive, boolean unrenewedForLease,
                            boolean sittingProvenGone, boolean firstHealthy, boolean renewalDue) {
    }

    public static Action next(Situation s) {
        boolean selfBest = s.self().equals(s.best());
        if (!s.recordExists()) {
            return selfBest && s.termMayChange() ? Action.CLAIM_FIRST : Action.WAIT;
        }
        if (s.self().equals(s.sitting())) {
            if (!selfBest && s.termMayChange()) {
                return Action.HAND_OVER;
            }
            if (selfBest && s.merged() && s.termMayChange()) {
                return Action.NEW_TERM_AFTER_MERGE;
            }
            // Leads on, also while a hand-over waits for the cluster to settle.
            return s.renewalDue() ? Action.RENEW : Action.WAIT;
        }
        boolean vacant = s.sitting() == null
                || (!s.sittingLive() && (s.unrenewedForLease() || s.sittingProvenGone()));
        if (!s.termMayChange() || !vacant) {
            return Action.WAIT;
        }
        if (selfBest) {
            return Action.CLAIM;
        }
        return s.best() == null && s.sitting() != null && s.firstHealthy() ? Action.END_TERM : Action.WAIT;
    }
}
