package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sprawl.overlay.election.ClaimRules.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a node writes the leader record, row by row. Columns: the sitting leader ("-" none, "*" no
 * record at all), the best candidate ("-" none), then termMayChange, merged, sittingLive,
 * unrenewedForLease, sittingProvenGone, firstHealthy, renewalDue; the node is always "me".
 */
class ClaimRulesTest {

    @ParameterizedTest(name = "sitting {0}, best {1}, settled {2}, merged {3}, live {4}, unrenewed {5}, proven gone {6},"
            + " first {7}, due {8} -> {9}")
    @CsvSource({
            // no record yet: only the best writes term 1, and only when settled
            "*, me, true, false, false, false, false, false, false, CLAIM_FIRST",
            "*, me, false, false, false, false, false, false, false, WAIT",
            "*, b, true, false, false, false, false, true, false, WAIT",
            // this node leads
            "me, me, true, false, true, false, false, false, true, RENEW",
            "me, me, true, false, true, false, false, false, false, WAIT",
            "me, b, true, false, true, false, false, false, false, HAND_OVER",
            "me, -, true, false, true, false, false, false, false, HAND_OVER",
            "me, b, false, false, true, false, false, false, true, RENEW",   // the hand-over waits for a settled cluster
            "me, b, false, false, true, false, false, false, false, WAIT",
            "me, me, true, true, true, false, false, false, true, NEW_TERM_AFTER_MERGE",
            "me, me, false, true, true, false, false, false, true, RENEW",  // the new term waits too
            // another leads
            "a, me, true, false, true, true, false, false, false, WAIT",    // live: never claimed over
            "a, me, true, false, false, false, false, false, false, WAIT",  // gone, but its lease may still run
            "a, me, true, false, false, true, false, false, false, CLAIM",
            // its process proven gone (not merely silent): no lease to wait out, but the cluster must be settled
            "a, me, true, false, false, false, true, false, false, CLAIM",
            "a, me, false, false, false, false, true, false, false, WAIT",
            "a, b, true, false, false, false, true, false, false, WAIT",     // another is best: it claims
            "a, -, true, false, false, false, true, true, false, END_TERM",
            "a, me, true, false, true, false, true, false, false, WAIT",    // live in this table: never claimed over
            "a, me, false, false, false, true, false, false, false, WAIT",  // not settled
            "a, b, true, false, false, true, false, true, false, WAIT",     // another is best: it claims
            "a, -, true, false, false, true, false, true, false, END_TERM", // no one eligible: the first healthy ends it
            "a, -, true, false, false, true, false, false, false, WAIT",
            // the record names none
            "-, me, true, false, false, false, false, false, false, CLAIM",
            "-, me, false, false, false, false, false, false, false, WAIT",
            "-, -, true, false, false, true, false, true, false, WAIT",     // nothing to end
    })
    void eachSituationHasOneAction(String sitting, String best, boolean settled, boolean merged, boolean live,
                                   boolean unrenewed, boolean provenGone, boolean first, boolean due, Action expected) {
        boolean exists = !sitting.equals("*");
        ClaimRules.Situation s = new ClaimRules.Situation("me", exists && !sitting.equals("-") ? sitting : null, exists,
                best.equals("-") ? null : best, settled, merged, live, unrenewed, provenGone, first, due);
        assertEquals(expected, ClaimRules.next(s));
    }
}
