package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;

/**
 * Housekeeping every second (retention, the coordinator's departure marks, certificate reload, the
 * detector's Prometheus counters): cheap, and liveness watches it.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class HousekeepingTimer extends NodeTimer {

    static final long INTERVAL_MILLIS = 1_000;

    @Inject
    OverlayMetrics prometheus;

    @Override
    String name() {
        return "sprawl-housekeeping";
    }

    @Override
    long intervalMillis(GossipManager g) {
        return INTERVAL_MILLIS;
    }

    @Override
    void tick(GossipManager g) {
        g.housekeeping();
        prometheus.syncDetector(g);
    }
}
