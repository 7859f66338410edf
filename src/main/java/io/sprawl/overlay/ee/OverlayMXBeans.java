package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.config.HostPort;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.election.Election;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.election.MajorityRecovery;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.metrics.MetricNames;
import io.sprawl.overlay.metrics.MetricsManager;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the overlay's MXBeans in the platform MBean server under {@code io.sprawl.overlay}
 * when the node starts, and removes them when it stops, so JConsole, VisualVM or any JMX client
 * (locally, or through Liberty's REST connector) reads and acts on the node. Each bean reads the
 * running node at every call: no state of its own.
 */
@Startup
@Singleton
@DependsOn({"OverlayNode", "ProbeTimer"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class OverlayMXBeans {

    private static final Logger LOG = Logger.getLogger(OverlayMXBeans.class.getName());

    static final String DOMAIN = "io.sprawl.overlay";

    @Inject
    OverlayNode node;

    @Inject
    ProbeTimer probeTimer;

    private final List<ObjectName> registered = new ArrayList<>();

    @PostConstruct
    void start() {
        if (node.gossip().isEmpty()) {
            return; // the node did not start; its startup check says why
        }
        register("Membership", new Membership());
        register("FailureDetector", new Detector());
        register("Metrics", new Metrics());
        register("Leader", new Leader());
    }

    private void register(String type, Object bean) {
        try {
            ObjectName name = new ObjectName(DOMAIN + ":type=" + type);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // left by an earlier deployment that did not stop cleanly
            }
            server.registerMBean(bean, name);
            registered.add(name);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "could not register the MXBean " + DOMAIN + ":type=" + type, e);
        }
    }

    @PreDestroy
    void stop() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : registered) {
            try {
                server.unregisterMBean(name);
            } catch (Exception e) {
                // already gone: nothing to remove
            }
        }
        registered.clear();
    }

    private GossipManager gossip() {
        return node.gossip().orElseThrow(() -> new IllegalStateException("the overlay node is not running"));
    }

    private Leadership leadership() {
        return gossip().leadership().orElseThrow(() -> new IllegalStateException("the election is not running"));
    }

    private FailureDetector detector() {
        return gossip().detector().orElseThrow(() -> new IllegalStateException("the failure detector is not running"));
    }

    private final class Membership implements MembershipMXBean {
        @Override
        public String getSelf() {
            return gossip().selfId();
        }

        @Override
        public long getViewId() {
            return gossip().membership().snapshot().viewId();
        }

        @Override
        public boolean isJoined() {
            return gossip().isJoined();
        }

        @Override
        public boolean isCoordinator() {
            return gossip().isCoordinator();
        }

        @Override
        public Map<String, Integer> getCountsByState() {
            Map<String, Integer> out = new TreeMap<>();
            gossip().membership().snapshot().countByState().forEach((s, n) -> out.put(s.name(), n));
            return out;
        }

        @Override
        public int getHealthyCount() {
            return count(MemberState.HEALTHY);
        }

        @Override
        public int getSuspectCount() {
            return count(MemberState.SUSPECT);
        }

        @Override
        public int getFailedCount() {
            return count(MemberState.FAILED);
        }

        private int count(MemberState s) {
            return gossip().membership().snapshot().count(s);
        }

        @Override
        public Map<String, String> getMembers() {
            Map<String, String> out = new TreeMap<>();
            for (Member m : gossip().membership().snapshot().members()) {
                out.put(m.id(), m.state().name());
            }
            return out;
        }

        @Override
        public long getMessageCount() {
            return gossip().messages().local();
        }

        @Override
        public long getClusterMessageCount() {
            return gossip().messages().clusterTotal();
        }

        @Override
        public void leave() {
            gossip(); // not running: says so, as every operation does
            node.leave("an operator's request (JMX)");
        }

        @Override
        public boolean joinSeeds(String seeds) throws Exception {
            GossipManager g = gossip();
            List<HostPort> parsed;
            try {
                parsed = HostPort.parseList(seeds);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("seeds are host:port,host:port...: " + e.getMessage());
            }
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("seeds are host:port,host:port...; got none");
            }
            return g.join(parsed, 5L * g.config().joinTimeoutMillis());
        }
    }

    private final class Detector implements FailureDetectorMXBean {
        private FailureDetector.Stats stats() {
            return detector().stats();
        }

        @Override
        public long getIncarnation() {
            return stats().incarnation();
        }

        @Override
        public int getAwareness() {
            return stats().awareness();
        }

        @Override
        public long getPingsSent() {
            return stats().pingsSent();
        }

        @Override
        public long getIndirectProbesSent() {
            return stats().indirectProbesSent();
        }

        @Override
        public long getAcksReceived() {
            return stats().acksReceived();
        }

        @Override
        public long getSuspicions() {
            return stats().suspicions();
        }

        @Override
        public long getRefutations() {
            return stats().refutations();
        }

        @Override
        public long getFailures() {
            return stats().failures();
        }

        @Override
        public long getMalformedDropped() {
            return stats().malformedDropped();
        }

        @Override
        public long getForgedDropped() {
            return stats().forgedDropped();
        }

        @Override
        public long getRelaysRefused() {
            return stats().relaysRefused();
        }

        @Override
        public Map<String, Double> getRttEwmaMillis() {
            return rtts(true);
        }

        @Override
        public Map<String, Double> getRttP99Millis() {
            return rtts(false);
        }

        private Map<String, Double> rtts(boolean ewma) {
            FailureDetector d = detector();
            Map<String, Double> out = new TreeMap<>();
            for (Member m : gossip().membership().snapshot().members()) {
                d.peer(m.id()).ifPresent(p -> out.put(p.id(), ewma ? p.rttEwmaMillis() : p.rttP99Millis()));
            }
            return out;
        }

        @Override
        public List<String> getFailedNodes() {
            return gossip().membership().snapshot().inState(MemberState.FAILED).stream().map(Member::id).toList();
        }

        @Override
        public String probeNow(String id) throws InterruptedException {
            CompletableFuture<Long> result = detector().probeNow(id).orElse(null);
            if (result == null) {
                return "not probed: " + id + " is not a peer this node probes (unknown, itself, or FAILED)";
            }
            try {
                long rtt = result.get(2, TimeUnit.SECONDS);
                return rtt >= 0 ? "ack from " + id + " in " + rtt + " ms"
                        : "no direct ack from " + id + " within the probe timeout: indirect probes follow, as in a round";
            } catch (ExecutionException | TimeoutException e) {
                return "no answer from " + id + " within 2 s";
            }
        }

        @Override
        public String pauseProbeTimer(long millis) {
            LOG.warning("probe rounds paused for " + millis + " ms on an operator's request (JMX)");
            return probeTimer.pause(millis);
        }
    }

    private final class Metrics implements MetricsMXBean {
        private MetricsManager metrics() {
            return gossip().metrics();
        }

        private double figure(String name) {
            return metrics().figure(name);
        }

        @Override
        public Map<String, Double> getCurrent() {
            return metrics().latest();
        }

        @Override
        public long getSampledAt() {
            return metrics().current().time();
        }

        @Override
        public double getLoad() {
            return figure(MetricNames.LOAD);
        }

        @Override
        public double getLoadForecast() {
            return figure(MetricNames.LOAD_FORECAST);
        }

        @Override
        public double getLoadForecastError() {
            return figure(MetricNames.LOAD_FORECAST_ERROR);
        }

        @Override
        public double getMessagesPerSecond() {
            return figure(MetricNames.MESSAGES_RATE);
        }

        @Override
        public double getMessageRate1m() {
            return figure(MetricNames.MESSAGES_1M);
        }

        @Override
        public double getMessageRate5m() {
            return figure(MetricNames.MESSAGES_5M);
        }

        @Override
        public double getMessageRate15m() {
            return figure(MetricNames.MESSAGES_15M);
        }

        @Override
        public Map<String, Double> getCustomMetrics() {
            Map<String, Double> out = new TreeMap<>();
            metrics().custom().all().forEach((name, v) -> out.put(name, v.value()));
            return out;
        }

        @Override
        public Map<String, Double> getClusterLoads() {
            return new TreeMap<>(gossip().loads());
        }

        @Override
        public boolean resetCustomMetric(String name) {
            return metrics().resetCustom(name);
        }
    }

    private final class Leader implements LeaderMXBean {
        @Override
        public String getLeader() {
            String leader = leadership().view().leader();
            return leader == null ? "" : leader;
        }

        @Override
        public long getTerm() {
            return leadership().view().term();
        }

        @Override
        public long getSince() {
            return leadership().view().since();
        }

        @Override
        public String getReason() {
            return leadership().view().reason();
        }

        @Override
        public boolean isLeading() {
            return leadership().isLeader();
        }

        @Override
        public boolean isMajority() {
            return leadership().inMajority();
        }

        @Override
        public String stepDown() throws InterruptedException {
            long wait = 2L * gossip().config().leader().leaseMillis();
            try {
                Leadership.View v = leadership().stepDown().get(wait, TimeUnit.MILLISECONDS);
                return "stepped down: " + v.leader() + " leads in term " + v.term();
            } catch (ExecutionException e) {
                return "not stepped down: " + e.getCause().getMessage();
            } catch (TimeoutException e) {
                return "the hand-over was not written within " + wait + " ms; read Leader and Term for the outcome";
            }
        }

        @Override
        public String recoverMajority(String lost) throws InterruptedException {
            Set<String> ids = new LinkedHashSet<>();
            for (String id : (lost == null ? "" : lost).split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.trim());
                }
            }
            if (ids.isEmpty()) {
                return "not recovered: name the lost members, comma-separated";
            }
            Election election = gossip().election().orElseThrow(() -> new IllegalStateException("not joined"));
            try {
                MajorityRecovery.Outcome o = election.recoverMajority(ids, "an operator (JMX)").toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                return "recovered: " + o.survivors() + " available, " + o.lost() + " confirmed lost";
            } catch (ExecutionException e) {
                return "not recovered: " + e.getCause().getMessage();
            } catch (TimeoutException e) {
                return "no answer within 10 s; read Leader and Majority for the outcome";
            }
        }
    }
}
