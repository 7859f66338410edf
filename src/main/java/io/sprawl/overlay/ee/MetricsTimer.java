package io.sprawl.overlay.ee;

import io.sprawl.overlay.config.MetricsConfig;
import io.sprawl.overlay.node.GossipManager;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Samples the machine every {@code sprawl.metrics.sample-interval-ms}, and shares the node's snapshot
 * with the cluster every {@code sprawl.metrics.publish-interval-ms} (the publication itself is
 * asynchronous). Off with {@code sprawl.metrics.enabled=false}. Only the timer thread writes
 * {@code lastPublish}.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class MetricsTimer extends NodeTimer {

    private static final Logger LOG = Logger.getLogger(MetricsTimer.class.getName());

    @Inject
    OverlayMetrics prometheus;

    private volatile long lastPublish;

    @Override
    String name() {
        return "sprawl-metrics";
    }

    @Override
    long intervalMillis(GossipManager g) {
        MetricsConfig c = g.config().metrics();
        if (!c.enabled()) {
            LOG.info("sprawl.metrics.enabled=false: no sampling, no shared snapshots; election and routing see no load");
            return 0;
        }
        return c.sampleIntervalMillis();
    }

    @Override
    long firstDelayMillis(long interval) {
        return 0; // the first figures at once: readiness and the election want a load
    }

    @Override
    void tick(GossipManager g) {
        g.metrics().sample();
        long now = System.currentTimeMillis();
        if (now - lastPublish >= g.config().metrics().publishIntervalMillis()) {
            lastPublish = now;
            g.publishMetrics();
        }
        prometheus.registerCustom();
    }
}
