package io.sprawl.overlay.node;

import io.sprawl.overlay.cluster.CacheManagerFactory;
import io.sprawl.overlay.cluster.ClusterEvents;
import io.sprawl.overlay.cluster.ClusterTls;
import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.cluster.DnsDiscovery;
import io.sprawl.overlay.cluster.ForkProbeTransport;
import io.sprawl.overlay.cluster.MessageCounter;
import io.sprawl.overlay.cluster.MetricsSharing;
import io.sprawl.overlay.cluster.RecordReconciler;
import io.sprawl.overlay.cluster.SeedJoin;
import io.sprawl.overlay.cluster.SelfRecord;
import io.sprawl.overlay.config.Discovery;
import io.sprawl.overlay.config.HostPort;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.election.Election;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.metrics.MetricsManager;
import io.sprawl.overlay.metrics.OshiSampler;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/**
 * A node of the overlay, as the original system's GossipManager: joins the cluster, leaves it, and
 * holds the parts that do the work. It only wires and sequences them; each behaviour lives in its part:
 *
 * <ul>
 *   <li>{@link ClusterTransport}: Infinispan over JGroups, the caches, the view;</li>
 *   <li>{@link SelfRecord}: this node's record, incarnation, refutations, goodbye;</li>
 *   <li>{@link RecordReconciler}: the member table kept in step with views and records;</li>
 *   <li>{@link MembershipManager}: the member table, its states and events;</li>
 *   <li>{@link Detection}: the failure detector on its fork channel;</li>
 *   <li>{@link Election}: the leader and its lease;</li>
 *   <li>{@link MetricsManager}, {@link MetricsSharing}, {@link MessageCounter}: this node's figures and
 *       everyone's.</li>
 * </ul>
 *
 * <p>Threads. {@link #start}, {@link #leave} and {@link #close} are called by the lifecycle owner, one at
 * a time (synchronized). The timers call {@link #probeRound}, {@link #electionRound},
 * {@link #housekeeping}; the rest is each part's (see {@code threads/package-info.java}).
 */
public final class GossipManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GossipManager.class.getName());

    /** Replicated writes of this node's own record and the coordinator's marks, off every listener thread. */
    static final int RECORD_WRITES_QUEUE = 256;

    private final OverlayConfig config;
    private final Clock clock;
    private final MembershipManager membership;
    private final MetricsManager metrics;

    /** Set by {@link #start}, cleared by {@link #stop}; read by anyone. */
    private volatile Parts parts;

    /** What a started node runs; created whole at start, closed whole at stop. */
    private record Parts(ClusterTls tls, ClusterTransport transport, ExecutorService recordWrites, SelfRecord self,
                         RecordReconciler reconciler, MessageCounter messages, MetricsSharing sharedMetrics,
                         Detection detection, Election election) {
    }

    public GossipManager(OverlayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.membership = new MembershipManager(config.nodeId(), clock, config.retentionMillis(), config.historySize(),
                config.rejoinHoldDownMillis());
        this.metrics = new MetricsManager(config.nodeId(), config.metrics(), clock, OshiSampler::new);
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * Starts the transport, joins the cluster found through the configured discovery, and publishes
     * this node's record. Returns when this node is in the view and its record is replicated.
     *
     * @throws SettingException when a live member already holds this node's id
     */
    public synchronized void start() throws Exception {
        if (parts != null) {
            throw new IllegalStateException("node " + config.nodeId() + " is already started");
        }
        long startTime = clock.millis();
        ClusterTls tls = null;
        ClusterTransport transport = null;
        ExecutorService writes = OwnedExecutors.single("sprawl-records-" + config.nodeId(), RECORD_WRITES_QUEUE);
        Detection detection = null;
        try {
            if (config.security().tls()) {
                tls = ClusterTls.start(config.security(), clock); // a bad certificate stops the node here, in one line
            } else {
                LOG.warning("cluster traffic is PLAINTEXT (sprawl.cluster.security=plaintext): anyone who reaches "
                        + config.bindAddress() + ":" + config.gossipPort() + " can join, read every record and write"
                        + " them");
            }
            if (config.discovery() == Discovery.DNS) {
                DnsDiscovery.awaitListed(config); // DNS lags pod creation: joining before it lists us can split the cluster
            }
            // The view listener must be on before the first view; it forwards to the reconciler made below. A view
            // installed before that exists is kept and handed over after the reconciler's first read: that read takes
            // the channel's view, which can be older (JGroups gave a joiner view 4, then the join's view 3, and the
            // table never saw the member that view 4 added: FAILED "not in view" until the next view).
            AtomicReference<RecordReconciler> views = new AtomicReference<>();
            AtomicReference<ViewChangedEvent> early = new AtomicReference<>();
            transport = ClusterTransport.start(config, tls, new OverlaySchemaImpl(), m -> {
                m.addListener(new ClusterEvents.Views(e -> {
                    RecordReconciler r = views.get();
                    if (r == null) {
                        early.accumulateAndGet(e, (kept, next) -> kept == null || next.getViewId() > kept.getViewId()
                                ? next : kept);
                        r = views.get(); // made meanwhile: it may have looked for an early view before this one came
                        e = r == null ? null : early.getAndSet(null);
                    }
                    if (r != null && e != null) {
                        r.viewChanged(e); // the table ignores a view older than the one it holds
                    }
                }));
                Election.define(m, config.leader(), CacheManagerFactory.SEGMENTS);
            });
            ClusterTransport t = transport;
            SelfRecord self = new SelfRecord(config, clock, transport, writes);
            MessageCounter messages = new MessageCounter(config.nodeId(),
                    transport.cache(CacheManagerFactory.MESSAGES_CACHE), membership, metrics::markMessages);
            MetricsSharing shared = new MetricsSharing(config.nodeId(), transport.cache(CacheManagerFactory.METRICS_CACHE),
                    metrics, membership, clock, config.metrics().publishIntervalMillis());
            RecordReconciler reconciler = new RecordReconciler(config.nodeId(), config.retentionMillis(), clock,
                    transport, membership, self, writes);
            views.set(reconciler);
            reconciler.start(); // reads the view installed before the reconciler existed
            ViewChangedEvent missed = early.getAndSet(null);
            if (missed != null) {
                reconciler.viewChanged(missed);
            }

            long incarnation = self.firstIncarnation();
            // The first replicated write of a node loads the write path (command classes, marshallers): let it
            // be the message count, which the node publishes anyway, so the join announcement that follows
            // is not the slow one.
            messages.publishInitial();
            // Answering probes before the others learn of us: they probe a member as soon as its record arrives.
            detection = Detection.start(config, clock, transport, membership, self, incarnation);
            self.join(incarnation, startTime);
            reconciler.readAll();
            FailureDetector detector = detection.detector();
            Election election = Election.start(config.nodeId(), config.leader(), transport, membership::members,
                    shared::loads, detector::provenGone, SelfRecord.PREVIOUS_PROCESS_WAIT_MS, clock, membership::leaderChanged,
                    membership::operatorAction);
            Leadership leadership = election.leadership();
            membership.addListener(e -> {
                if (e.concernsMember()) {
                    leadership.recheck();
                }
            });
            parts = new Parts(tls, transport, writes, self, reconciler, messages, shared, detection, election);
            LOG.info(() -> "node " + config.nodeId() + " joined cluster '" + config.clusterName() + "' as incarnation "
                    + incarnation + " with " + t.view().members().size() + " member(s) in view " + t.view().id());
        } catch (Exception | Error e) {
            stop(new Parts(tls, transport, writes, null, null, null, null, detection, null));
            throw e;
        }
    }

    /**
     * Joins the cluster of these seeds, also while running: adds them to static discovery and lets
     * MERGE3 merge the two clusters. Returns whether a seed is in this node's view within the timeout.
     */
    public boolean join(List<HostPort> seeds, long timeoutMillis) throws Exception {
        return SeedJoin.join(require().transport.channel(), config.discovery().name(), seeds, timeoutMillis);
    }

    /**
     * Hands the leadership over if this node leads, says goodbye (the others see this node
     * {@code LEFT}, not {@code FAILED}) and stops the transport.
     */
    public synchronized void leave() {
        Parts p = parts;
        if (p == null) {
            return;
        }
        if (p.transport.running()) {
            p.detection.detector().leaving();
            try {
                p.election.leadership().handOverBeforeLeaving().get(config.leader().leaseMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "could not hand the leadership over; its lease will run out", e);
            }
            p.self.leave();
        }
        stop(p);
    }

    @Override
    public void close() {
        leave();
        membership.close();
    }

    private void stop(Parts p) {
        parts = null;
        if (p.election != null) {
            p.election.close();
        }
        if (p.detection != null) {
            p.detection.close();
        }
        p.recordWrites.shutdownNow();
        if (p.transport != null) {
            p.transport.close();
        }
        if (p.tls != null) {
            p.tls.close();
        }
    }

    // ---- the timers ---------------------------------------------------------------------------

    /** One probe round of the failure detector: the probe timer calls this every probe interval. */
    public void probeRound() {
        Parts p = parts;
        if (p != null && !p.self.leaving()) {
            p.detection.detector().tick();
        }
    }

    /** Re-checks the election: the election timer calls this at its fixed rate. */
    public void electionRound() {
        Parts p = parts;
        if (p != null && !p.self.leaving()) {
            p.election.tick();
        }
    }

    /** Retention, certificate reload, the coordinator's marks: the housekeeping timer calls this every second. */
    public void housekeeping() {
        Parts p = parts;
        if (p == null) {
            return;
        }
        if (p.tls != null) {
            p.tls.reloadIfChanged();
        }
        p.reconciler.housekeeping();
        if (p.transport.isCoordinator()) {
            p.sharedMetrics.prune();
        }
    }

    /** Shares this node's latest metrics snapshot: the sampling timer calls this at the publish interval. */
    public void publishMetrics() {
        Parts p = parts;
        if (p != null && !p.self.leaving()) {
            p.sharedMetrics.publish();
        }
    }

    // ---- the original system's operations ------------------------------------------------------

    /** Replaces this node's metadata and broadcasts it; returns the new record once every member has it. */
    public MemberRecord updateMetadata(Map<String, String> metadata) {
        return require().self.updateMetadata(metadata);
    }

    /** Adds to this node's message count (published to the cluster); returns the new count. */
    public long addMessageCount(long n) {
        return require().messages.add(n);
    }

    // ---- the parts ----------------------------------------------------------------------------

    public String selfId() {
        return config.nodeId();
    }

    public OverlayConfig config() {
        return config;
    }

    public MembershipManager membership() {
        return membership;
    }

    /** This node's metrics manager: the sampling timer calls {@link MetricsManager#sample}. */
    public MetricsManager metrics() {
        return metrics;
    }

    /** The message counts, once joined. */
    public MessageCounter messages() {
        return require().messages;
    }

    /** Every member's latest metrics snapshot and forecast load, once joined. */
    public MetricsSharing sharedMetrics() {
        return require().sharedMetrics;
    }

    /** Each live member's forecast load (0-1), the election's and the router's input; empty before the join. */
    public Map<String, Double> loads() {
        Parts p = parts;
        return p == null ? Map.of() : p.sharedMetrics.loads();
    }

    /** The transport, once joined. */
    public ClusterTransport transport() {
        return require().transport;
    }

    /** The failure detector, once joined. */
    public Optional<FailureDetector> detector() {
        Parts p = parts;
        return p == null ? Optional.empty() : Optional.of(p.detection.detector());
    }

    /** The election, once joined. */
    public Optional<Leadership> leadership() {
        Parts p = parts;
        return p == null ? Optional.empty() : Optional.of(p.election.leadership());
    }

    /** The election (the leader's operations: a recovered majority), once joined. */
    public Optional<Election> election() {
        Parts p = parts;
        return p == null ? Optional.empty() : Optional.of(p.election);
    }

    /** The cluster transport's TLS; empty when the cluster runs plaintext (or before the join). */
    public Optional<ClusterTls> tls() {
        Parts p = parts;
        return p == null ? Optional.empty() : Optional.ofNullable(p.tls);
    }

    /** Joined: the transport is connected and this node's record is in the table, live. */
    public boolean isJoined() {
        Parts p = parts;
        return p != null && p.transport.up() && !p.self.leaving()
                && membership.member(config.nodeId()).map(m -> m.state().live()).orElse(false);
    }

    public boolean transportUp() {
        Parts p = parts;
        return p != null && p.transport.up();
    }

    public boolean isCoordinator() {
        Parts p = parts;
        return p != null && p.transport.isCoordinator();
    }

    private Parts require() {
        Parts p = parts;
        if (p == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has not joined a cluster");
        }
        return p;
    }
}
