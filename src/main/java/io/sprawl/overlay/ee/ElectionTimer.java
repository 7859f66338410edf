package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;

/**
 * Re-checks the election at a fixed rate ({@code sprawl.leader.check-interval-ms}); the leader renews
 * its lease at each check. Membership events and changes of the leader record trigger checks of their
 * own. A tick only queues the check on the election thread, so it never waits on the network.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class ElectionTimer extends NodeTimer {

    @Override
    String name() {
        return "sprawl-election-timer";
    }

    @Override
    long intervalMillis(GossipManager g) {
        return g.config().leader().checkIntervalMillis();
    }

    @Override
    void tick(GossipManager g) {
        g.electionRound();
    }
}
