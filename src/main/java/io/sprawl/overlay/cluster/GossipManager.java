package io.sprawl.overlay.cluster;

import io.sprawl.overlay.OverlayVersion;
import io.sprawl.overlay.config.Discovery;
import io.sprawl.overlay.config.HostPort;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.config.Settings;
import io.sprawl.overlay.failure.DetectorEvents;
import io.sprawl.overlay.failure.DetectorObserver;
import io.sprawl.overlay.failure.ExecutorScheduler;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.membership.LeaderRecord;
import io.sprawl.overlay.membership.Leadership;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.membership.MembershipListener;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.membership.MembershipSnapshot;
import io.sprawl.overlay.membership.RecordStatus;
import io.sprawl.overlay.metrics.MetricsManager;
import io.sprawl.overlay.metrics.MetricsSnapshot;
import io.sprawl.overlay.metrics.OshiSampler;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCPPING;
import org.jgroups.stack.IpAddress;

/**
 * A node of the overlay: joins the cluster through Infinispan over JGroups, publishes its member
 * record, keeps the member table current, and counts messages. The names follow the original
 * system's GossipManager.
 *
 * <p>Threads. {@link #start}, {@link #leave} and {@link #close} are called by the lifecycle owner
 * (one thread at a time). Infinispan's threads deliver views and records; the housekeeping timer
 * calls {@link #housekeeping}, the probe timer {@link #probeRound}, the election timer
 * {@link #electionRound}; the failure detector guards its own state and reports to the member table,
 * the election runs on its own thread ({@link Leadership}). The member table guards itself
 * ({@link MembershipManager}); this class's own mutable fields are written once at start and read
 * through volatiles.
 */
public final class GossipManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(GossipManager.class.getName());

    /**
     * How long JGroups takes at most to exclude a member whose transport is silent (FD_ALL3 timeout +
     * verify + slack): a restarted node waits this long for its previous process to leave the view.
     */
    static final long PREVIOUS_PROCESS_WAIT_MS =
            JGroupsStack.FD_ALL_TIMEOUT_MS + JGroupsStack.VERIFY_SUSPECT_MS + 1_500;
    private static final long PREVIOUS_PROCESS_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(PREVIOUS_PROCESS_WAIT_MS);

    private final OverlayConfig config;
    private final Clock clock;
    private final MembershipManager membership;
    private final MetricsManager metrics;

    /** Mutual TLS of the cluster transport; null when the cluster runs plaintext. */
    private volatile ClusterTls tls;
    private volatile JChannel channel;
    private volatile JGroupsTransport transport;
    private volatile DefaultCacheManager cacheManager;
    private volatile Cache<String, MemberRecord> records;
    private volatile MessageCounter messages;
    private volatile MetricsSharing sharedMetrics;
    private volatile DetectorObserver detectorObserver = DetectorObserver.NONE;
    private volatile FailureDetector detector;
    private volatile ForkProbeTransport probes;
    private volatile ExecutorScheduler deadlines;
    private volatile Leadership leadership;
    private volatile ExecutorService electionThread;
    /** This node's current record. Replaced under {@code selfLock} (metadata updates, leave, refutation). */
    private volatile MemberRecord self;
    private final Object selfLock = new Object();
    private volatile boolean leaving;
    /** After a merge: this node re-publishes its record, and the leader takes a new term, once these open. */
    private volatile MergeGate recordsMerge;
    private volatile MergeGate leaderMerge;
    /** When the last view was installed (System.nanoTime). */
    private volatile long lastViewAt = System.nanoTime();

    public GossipManager(OverlayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.membership = new MembershipManager(config.nodeId(), clock, config.retentionMillis(), config.historySize());
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
        if (cacheManager != null) {
            throw new IllegalStateException("node " + config.nodeId() + " is already started");
        }
        long startTime = clock.millis();
        if (config.security().tls()) {
            tls = ClusterTls.start(config.security(), clock); // a bad certificate stops the node here, in one line
        } else {
            LOG.warning("cluster traffic is PLAINTEXT (sprawl.cluster.security=plaintext): anyone who reaches "
                    + config.bindAddress() + ":" + config.gossipPort() + " can join, read every record and write them");
        }
        if (config.discovery() == Discovery.DNS) {
            DnsDiscovery.awaitListed(config); // DNS lags pod creation: joining before it lists us can split the cluster
        }
        DefaultCacheManager manager = CacheManagerFactory.create(config, tls);
        cacheManager = manager;
        ClusterEvents.Sink sink = new Sink();
        manager.addListener(new ClusterEvents.Views(sink));
        try {
            manager.start();
            // The transport Infinispan runs, and through it the channel built by JGroupsStack.
            transport = (JGroupsTransport) GlobalComponentRegistry.componentOf(manager, Transport.class);
            channel = transport.getChannel();
            LOG.fine(() -> "JGroups stack of " + config.nodeId() + ": " + channel.getProtocolStack().printProtocolSpec(false));
            Cache<String, MemberRecord> cache = manager.getCache(CacheManagerFactory.MEMBERS_CACHE);
            cache.addListener(new ClusterEvents.Records(sink));
            records = cache;
            recordsMerge = new MergeGate(cache);
            messages = new MessageCounter(config.nodeId(), manager.getCache(CacheManagerFactory.MESSAGES_CACHE));
            sharedMetrics = new MetricsSharing(config.nodeId(), manager.getCache(CacheManagerFactory.METRICS_CACHE),
                    metrics, config.metrics().publishIntervalMillis());
            membership.viewChanged(transport.getViewId(), transportIds(transport.getMembers()));

            long incarnation = nextIncarnation(cache.get(config.nodeId()));
            // The first replicated write of a node loads the write path (command classes, marshallers): let it
            // be the message count, which the node publishes anyway, so the join announcement that follows
            // is not the slow one.
            messages.publishInitial();
            MemberRecord record = new MemberRecord(config.nodeId(), transportId(transport.getAddress()),
                    config.bindAddress(), config.gossipPort(), config.httpPort(), OverlayVersion.VALUE, startTime,
                    incarnation, config.site(), config.rack(), config.capabilities(), config.metadata(), 1,
                    clock.millis(), RecordStatus.ALIVE, 0);
            self = record;
            // Answering probes before the others learn of us: they probe a member as soon as its record arrives.
            startDetector(incarnation);
            cache.put(record.id(), record);
            // Records written before our listener was added (state transfer) are read here.
            readAllRecords();
            startElection(manager);
            LOG.info(() -> "node " + config.nodeId() + " joined cluster '" + config.clusterName() + "' as incarnation "
                    + incarnation + " with " + transport.getMembers().size() + " member(s) in view "
                    + transport.getViewId());
        } catch (Exception | Error e) {
            stopQuietly();
            throw e;
        }
    }

    /**
     * Joins the cluster of these seeds, also while running: adds them to static discovery and lets
     * MERGE3 merge the two clusters. Returns whether a seed is in this node's view within the timeout.
     */
    public boolean join(List<HostPort> seeds, long timeoutMillis) throws Exception {
        JChannel ch = requireStarted().channel;
        TCPPING ping = ch.getProtocolStack().findProtocol(TCPPING.class);
        if (ping == null) {
            throw new IllegalStateException("join(seeds) needs sprawl.discovery=static; this node uses "
                    + config.discovery().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<PhysicalAddress> hosts = new ArrayList<>(ping.getInitialHosts());
        List<PhysicalAddress> wanted = new ArrayList<>();
        for (HostPort s : seeds) {
            IpAddress a = new IpAddress(InetAddress.getByName(s.host()), s.port());
            wanted.add(a);
            if (!hosts.contains(a)) {
                hosts.add(a);
            }
        }
        ping.setInitialHosts2(hosts);
        MERGE3 merge = ch.getProtocolStack().findProtocol(MERGE3.class);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        // MERGE3 would find the other cluster within its own interval; ask at once and then every half second.
        for (int round = 0; round < 1_000 && System.nanoTime() < deadline; round++) {
            if (wanted.stream().anyMatch(JGroupsStack.physicalAddressesInView(ch)::contains)) {
                return true;
            }
            merge.sendInfo();
            Thread.sleep(500);
        }
        return false;
    }


    /**
     * Hands the leadership over if this node leads, says goodbye (the others see this node
     * {@code LEFT}, not {@code FAILED}) and stops the transport.
     */
    public synchronized void leave() {
        Cache<String, MemberRecord> cache = records;
        if (cache != null && self != null && cacheManager.getStatus() == ComponentStatus.RUNNING) {
            FailureDetector d = detector;
            if (d != null) {
                d.leaving();
            }
            Leadership l = leadership;
            if (l != null) {
                try {
                    l.handOverBeforeLeaving().get(config.leader().leaseMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "could not hand the leadership over; its lease will run out", e);
                }
            }
            leaving = true;
            try {
                synchronized (selfLock) {
                    MemberRecord goodbye = self.leaving(clock.millis());
                    self = goodbye;
                    cache.put(goodbye.id(), goodbye);
                }
                LOG.info(() -> "node " + config.nodeId() + " left cluster '" + config.clusterName() + "'");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not say goodbye; the others will see this node FAILED", e);
            }
        }
        stopQuietly();
    }

    /** Stops without a goodbye: to the others this is a crash once the transport excluded the node. For tests. */
    void stopWithoutGoodbye() {
        stopQuietly();
    }

    @Override
    public void close() {
        leave();
        membership.close();
    }

    // ---- the node's own record ----------------------------------------------------------------

    /** Replaces this node's metadata and broadcasts it; returns the new record once every member has it. */
    public MemberRecord updateMetadata(Map<String, String> metadata) {
        Cache<String, MemberRecord> cache = requireStarted().records;
        synchronized (selfLock) {
            MemberRecord next = self.withMetadata(metadata, clock.millis());
            self = next;
            cache.put(next.id(), next);
            return next;
        }
    }

    // ---- reads --------------------------------------------------------------------------------

    public String selfId() {
        return config.nodeId();
    }

    public OverlayConfig config() {
        return config;
    }

    public MembershipManager membership() {
        return membership;
    }

    public MembershipSnapshot snapshot() {
        return membership.snapshot();
    }

    /** Ids of all members in the table, departed ones included. */
    public List<String> members() {
        return membership.members().stream().map(Member::id).toList();
    }

    public Optional<Member> memberInfo(String id) {
        return membership.member(id);
    }

    public Optional<MemberState> nodeState(String id) {
        return membership.nodeState(id);
    }

    public List<MembershipEvent> events(long sinceSeq) {
        return membership.events(sinceSeq);
    }

    public void addListener(MembershipListener listener) {
        membership.addListener(listener);
    }

    /** Joined: the transport is connected and this node's record is in the table. */
    public boolean isJoined() {
        return transportUp() && !leaving && membership.member(config.nodeId()).map(m -> m.state().live()).orElse(false);
    }

    public boolean transportUp() {
        DefaultCacheManager m = cacheManager;
        JChannel ch = channel;
        return m != null && m.getStatus() == ComponentStatus.RUNNING && ch != null && ch.isConnected();
    }

    public boolean isCoordinator() {
        DefaultCacheManager m = cacheManager;
        return m != null && m.getStatus() == ComponentStatus.RUNNING && m.isCoordinator();
    }

    // ---- messages -----------------------------------------------------------------------------

    public long addMessageCount(long n) {
        long total = requireStarted().messages.add(n);
        metrics.markMessages(n);
        return total;
    }

    public long messageCount() {
        MessageCounter m = messages;
        return m == null ? 0 : m.local();
    }

    /** The last published count of each live member (this node's exact). */
    public Map<String, Long> messageCountByNode() {
        Set<String> live = new HashSet<>();
        membership.snapshot().live().forEach(m -> live.add(m.id()));
        Map<String, Long> all = requireStarted().messages.byNode();
        all.keySet().retainAll(live);
        return all;
    }

    public long clusterMessageCount() {
        return messageCountByNode().values().stream().mapToLong(Long::longValue).sum();
    }

    // ---- metrics ------------------------------------------------------------------------------

    /** This node's metrics manager: the sampling timer calls {@link MetricsManager#sample}. */
    public MetricsManager metrics() {
        return metrics;
    }

    /** Shares this node's latest metrics snapshot with the cluster: the sampling timer calls this at the publish interval. */
    public void publishMetrics() {
        MetricsSharing m = sharedMetrics;
        if (m != null && !leaving) {
            m.publish();
        }
    }

    /** The latest snapshot of every member in the table (departed ones within the retention included). */
    public Map<String, MetricsSnapshot> metricsByNode() {
        return requireStarted().sharedMetrics.byNode(tableIds());
    }

    /** Each live member's forecast load (0-1), the election's and the router's input ({@link MetricsSharing#loads}). */
    public Map<String, Double> loads() {
        MetricsSharing m = sharedMetrics;
        if (m == null) {
            return Map.of();
        }
        Set<String> live = new HashSet<>();
        membership.snapshot().live().forEach(x -> live.add(x.id()));
        return m.loads(live, clock.millis());
    }

    private Set<String> tableIds() {
        return Set.copyOf(members());
    }

    // ---- failure detection ---------------------------------------------------------------------

    /** One probe round of the failure detector: the probe timer calls this every probe interval. */
    public void probeRound() {
        FailureDetector d = detector;
        if (d != null && !leaving) {
            d.tick();
        }
    }

    /** Who is told of each probe, suspicion and failure (metrics), now and after a restart of the detector. */
    public void observeDetector(DetectorObserver o) {
        detectorObserver = o;
        FailureDetector d = detector;
        if (d != null) {
            d.observe(o);
        }
    }

    /** The cluster transport's TLS; empty when the cluster runs plaintext. */
    public Optional<ClusterTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** The failure detector, once joined. */
    public Optional<FailureDetector> detector() {
        return Optional.ofNullable(detector);
    }

    /** Members this node shows {@code FAILED} (still within the retention). */
    public List<String> failedNodes() {
        return membership.members().stream().filter(m -> m.state() == MemberState.FAILED).map(Member::id).toList();
    }

    /** Bytes and messages this node's transport sent and received since start (JGroups' counters). */
    public Map<String, Long> wireStats() {
        JChannel ch = channel;
        if (ch == null) {
            return Map.of();
        }
        var stats = ch.getProtocolStack().getTransport().getMessageStats();
        return Map.of("bytesSent", stats.getNumBytesSent(), "bytesReceived", stats.getNumBytesReceived(),
                "messagesSent", stats.getNumMsgsSent(), "messagesReceived", stats.getNumMsgsReceived());
    }

    private void startDetector(long incarnation) throws Exception {
        ExecutorScheduler scheduler = new ExecutorScheduler("sprawl-detector-" + config.nodeId());
        deadlines = scheduler;
        probes = new ForkProbeTransport(channel, membership, ForkProbeTransport.to(() -> detector, membership));
        FailureDetector d = new FailureDetector(config.nodeId(), incarnation, config.detector(), clock, scheduler, probes,
                new DetectorSink(), this::probeCandidates, new Random());
        d.observe(detectorObserver);
        detector = d;
    }

    /** Whom the detector probes: members in the transport's view that have not left. */
    private List<FailureDetector.Candidate> probeCandidates() {
        JGroupsTransport t = transport;
        if (t == null) {
            return List.of();
        }
        Set<String> view = transportIds(t.getMembers());
        List<FailureDetector.Candidate> out = new ArrayList<>();
        for (Member m : membership.members()) {
            if (!m.id().equals(config.nodeId()) && m.state() != MemberState.LEFT && view.contains(m.transportId())) {
                out.add(new FailureDetector.Candidate(m.id(), m.incarnation(), m.state() == MemberState.FAILED));
            }
        }
        return out;
    }

    /** The detector's conclusions go to the member table; its refutations into this node's record. */
    private final class DetectorSink implements DetectorEvents {
        @Override
        public void suspect(String node, long incarnation, String reason) {
            membership.suspect(node, incarnation, reason);
        }

        @Override
        public void alive(String node, long incarnation, String reason) {
            membership.alive(node, incarnation, reason);
        }

        @Override
        public void failed(String node, long incarnation, String reason) {
            membership.failed(node, incarnation, reason);
        }

        @Override
        public void refuted(long incarnation) {
            LOG.info(() -> "node " + config.nodeId() + " refutes a suspicion of itself: incarnation " + incarnation);
            // Off the detector's monitor: a cache write may wait on the network.
            CompletableFuture.runAsync(() -> republish(incarnation));
        }
    }

    // ---- leader election -----------------------------------------------------------------------

    /** Re-checks the election: the election timer calls this at its fixed rate. */
    public void electionRound() {
        Leadership l = leadership;
        if (l != null && !leaving) {
            l.recheck();
        }
    }

    /** The election, once joined. */
    public Optional<Leadership> leadership() {
        return Optional.ofNullable(leadership);
    }

    private void startElection(DefaultCacheManager manager) {
        Cache<String, LeaderRecord> cache = manager.getCache(CacheManagerFactory.LEADER_CACHE);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sprawl-election-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        electionThread = thread;
        CacheLeaderStore store = new CacheLeaderStore(cache);
        // Candidates are ordered by declared weight x (1 - forecast load), from the shared metrics snapshots.
        Leadership l = new Leadership(config.nodeId(), config.leader(), store, membership::members, this::loads, clock,
                System::nanoTime, thread, membership::leaderChanged, () -> settled(store));
        leadership = l;
        leaderMerge = new MergeGate(cache);
        cache.addListener(new ClusterEvents.LeaderRecords(l::recheck, this::afterMerge));
        membership.addListener(e -> {
            if (!e.concernsLeader()) {
                l.recheck();
            }
        });
        l.recheck();
    }

    /**
     * Whether the leader's term may change now: no member of the view is unreachable, and the leader
     * cache is quiet over the view. A member live in the table is reachable; one the detector found
     * FAILED that is still in the view after {@link #PREVIOUS_PROCESS_WAIT_MS} answers its transport
     * (JGroups would have excluded it by then): a stuck overlay, which must not hold up the election
     * while it stays stuck. Nor may a cache rebalance that does not finish (seen in the benchmark after
     * three restarts and three kills within 20 s): a view unchanged that long counts as quiet.
     */
    private boolean settled(CacheLeaderStore store) {
        JGroupsTransport t = transport;
        if (t == null) {
            return false;
        }
        Set<String> view = transportIds(t.getMembers());
        long now = clock.millis();
        Set<String> reachable = new HashSet<>();
        for (Member m : membership.members()) {
            if (m.state().live() || (m.state() == MemberState.FAILED
                    && now - m.stateSince() > PREVIOUS_PROCESS_WAIT_MS)) {
                reachable.add(m.transportId());
            }
        }
        return reachable.containsAll(view)
                && (store.quiet(view.size()) || System.nanoTime() - lastViewAt > PREVIOUS_PROCESS_WAIT_NANOS);
    }

    // ---- housekeeping (timer) -----------------------------------------------------------------

    /**
     * Drops departed members past the retention. On the view coordinator also marks records of
     * members gone from the view and removes expired ones from the cache, so every node agrees.
     */
    public void housekeeping() {
        ClusterTls t = tls;
        if (t != null) {
            t.reloadIfChanged();
        }
        membership.expire();
        afterMerge();
        if (isCoordinator()) {
            reconcileRecords();
            MetricsSharing m = sharedMetrics;
            if (m != null) {
                m.prune(tableIds());
            }
        }
    }

    // ---- internals ----------------------------------------------------------------------------

    private long nextIncarnation(MemberRecord previous) throws InterruptedException {
        if (previous == null) {
            return 1;
        }
        // The previous process of this id may still be in the view if it died a moment ago: wait for the
        // transport to exclude it. One still there after that is a live node holding our id.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PREVIOUS_PROCESS_WAIT_MS);
        String mine = transportId(transport.getAddress());
        while (!previous.status().departed() && !previous.transportId().equals(mine)
                && transportIds(transport.getMembers()).contains(previous.transportId())) {
            if (System.nanoTime() > deadline) {
                throw new SettingException(Settings.NODE_ID.key(), config.nodeId(), "a live member at "
                        + previous.address() + ":" + previous.gossipPort() + " already has this id; every node needs"
                        + " its own");
            }
            Thread.sleep(100);
        }
        return previous.incarnation() + 1;
    }

    /** Coordinator only: mark departures in the cache, and remove records past the retention. */
    private void reconcileRecords() {
        Cache<String, MemberRecord> cache = records;
        if (cache == null) {
            return;
        }
        Set<String> view = transportIds(transport.getMembers());
        long now = clock.millis();
        for (MemberRecord r : List.copyOf(cache.values())) {
            if (!r.status().departed() && !view.contains(r.transportId())) {
                // Conditional: a restarted owner's fresh record must never be overwritten by our mark.
                cache.replaceAsync(r.id(), r, r.departed(now));
            } else if (r.status().departed() && r.departedAt() + config.retentionMillis() <= now) {
                cache.removeAsync(r.id(), r);
            }
        }
    }

    private final class Sink implements ClusterEvents.Sink {
        @Override
        public void viewChanged(ViewChangedEvent e) {
            LOG.info(() -> "node " + config.nodeId() + " installed " + (e.isMergeView() ? "merge " : "") + "view "
                    + e.getViewId() + " " + e.getNewMembers());
            lastViewAt = System.nanoTime();
            membership.viewChanged(e.getViewId(), transportIds(e.getNewMembers()));
            if (e.isMergeView()) {
                arm(recordsMerge);
                arm(leaderMerge);
            }
            if (isCoordinator()) {
                // Not on the listener thread: cache writes while the view is being installed can wait on it.
                CompletableFuture.runAsync(GossipManager.this::reconcileRecords);
            }
        }

        @Override
        public void recordChanged(MemberRecord r) {
            membership.recordChanged(r);
            MemberRecord mine = self;
            if (r.id().equals(config.nodeId()) && mine != null && r.transportId().equals(mine.transportId())
                    && r.status().departed() && !leaving && !pending(recordsMerge)) {
                // The other side of a partition marked us departed: refute with a new incarnation (after a
                // merge, the refutation that follows the conflict resolution does it).
                CompletableFuture.runAsync(GossipManager.this::refute);
            }
        }

        @Override
        public void recordRemoved(String id) {
            membership.recordRemoved(id);
        }

        @Override
        public void recordsTopologyChanged() {
            readAllRecords();
            afterMerge();
        }
    }

    /** Feeds every record in the cache to the table, which ignores those it has already seen. */
    private void readAllRecords() {
        Cache<String, MemberRecord> cache = records;
        if (cache != null) {
            for (MemberRecord r : List.copyOf(cache.values())) {
                membership.recordChanged(r);
            }
        }
    }

    /**
     * After a merge the sides' records may be stale, and the other side may have marked this node
     * departed: it re-publishes its own record as a new incarnation. The leader of the record that
     * survived takes a new term ({@link Leadership#merged}). Each once its cache is past the merge.
     */
    private void afterMerge() {
        MergeGate records = recordsMerge;
        if (records != null && records.open()) {
            CompletableFuture.runAsync(this::refute);
        }
        MergeGate leader = leaderMerge;
        Leadership l = leadership;
        if (leader != null && l != null && leader.open()) {
            l.merged();
        }
    }

    private static boolean pending(MergeGate gate) {
        return gate != null && gate.pending();
    }

    private static void arm(MergeGate gate) {
        if (gate != null) {
            gate.arm();
        }
    }

    /** Re-publishes this node's record as a new incarnation. Off the listener thread. */
    private void refute() {
        republish(0);
    }

    /** Re-publishes this node's record as a new incarnation (at least {@code atLeast}). */
    private void republish(long atLeast) {
        Cache<String, MemberRecord> cache = records;
        if (cache == null || leaving) {
            return;
        }
        try {
            synchronized (selfLock) {
                if (leaving) {
                    // Checked again under the lock: a refutation that waited here while the goodbye was written
                    // would otherwise bring the node back (seen after a heal: LEFT, then "rejoined", then FAILED).
                    return;
                }
                MemberRecord next = self.reincarnated(atLeast, clock.millis());
                self = next;
                cache.put(next.id(), next);
                FailureDetector d = detector;
                if (d != null) {
                    d.incarnationIs(next.incarnation());
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not re-publish the record of " + config.nodeId() + " as a new incarnation",
                    e);
        }
    }

    /** The channel Infinispan runs, for tests that check the stack. */
    JChannel channel() {
        return channel;
    }

    /** The replicated records themselves, for tests that check what the coordinator wrote. */
    Cache<String, MemberRecord> records() {
        return records;
    }

    private GossipManager requireStarted() {
        if (records == null || messages == null) {
            throw new IllegalStateException("node " + config.nodeId() + " has not joined a cluster");
        }
        return this;
    }

    private void stopQuietly() {
        leadership = null;
        ExecutorService election = electionThread;
        electionThread = null;
        if (election != null) {
            election.shutdownNow();
        }
        detector = null;
        ForkProbeTransport p = probes;
        probes = null;
        if (p != null) {
            p.close();
        }
        ExecutorScheduler d = deadlines;
        deadlines = null;
        if (d != null) {
            d.close();
        }
        DefaultCacheManager m = cacheManager;
        cacheManager = null;
        records = null;
        if (m != null) {
            try {
                m.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "stopping the cache manager of " + config.nodeId(), e);
            }
        }
        JChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
        ClusterTls t = tls;
        if (t != null) {
            t.close();
        }
    }

    static String transportId(Address a) {
        return a.getNodeUUID().toString();
    }

    static Set<String> transportIds(List<Address> members) {
        Set<String> out = new HashSet<>();
        for (Address a : members) {
            out.add(transportId(a));
        }
        return out;
    }
}
