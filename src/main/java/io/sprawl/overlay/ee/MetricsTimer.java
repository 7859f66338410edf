package io.sprawl.overlay.ee;

import io.sprawl.overlay.cluster.GossipManager;
import io.sprawl.overlay.config.MetricsConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.Timer;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Samples the machine every {@code sprawl.metrics.sample-interval-ms} with a non-persistent interval
 * timer, and shares the node's snapshot with the cluster every {@code sprawl.metrics.publish-interval-ms}
 * (the publication itself is asynchronous). Off with {@code sprawl.metrics.enabled=false}.
 *
 * <p>Bean-managed concurrency and transactions, as {@link ProbeTimer}: only the timer thread writes
 * the two volatile fields.
 */
@Startup
@Singleton
@DependsOn("OverlayNode")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class MetricsTimer {

    private static final Logger LOG = Logger.getLogger(MetricsTimer.class.getName());

    @Inject
    OverlayNode node;

    @Inject
    OverlayMetrics prometheus;

    @Resource
    TimerService timers;

    private volatile Timer timer;
    private volatile long lastSample;
    private volatile long lastPublish;

    @PostConstruct
    void start() {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return; // the node did not start; its startup check says why
        }
        MetricsConfig c = g.config().metrics();
        if (!c.enabled()) {
            LOG.info("sprawl.metrics.enabled=false: no sampling, no shared snapshots; election and routing see no load");
            return;
        }
        timer = timers.createIntervalTimer(0, c.sampleIntervalMillis(), new TimerConfig("sprawl-metrics", false));
    }

    @Timeout
    void sample(Timer t) {
        GossipManager g = node.gossip().orElse(null);
        if (g == null) {
            return;
        }
        g.metrics().sample();
        long now = System.currentTimeMillis();
        lastSample = now;
        if (now - lastPublish >= g.config().metrics().publishIntervalMillis()) {
            lastPublish = now;
            g.publishMetrics();
        }
        prometheus.registerCustom();
    }

    @PreDestroy
    void stop() {
        OverlayNode.cancel(timer);
        timer = null;
    }

    /** Epoch ms of the last sample, 0 before the first or when sampling is off. */
    public long lastSample() {
        return lastSample;
    }

    public boolean running() {
        return timer != null;
    }
}
