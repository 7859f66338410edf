package io.sprawl.overlay.testkit;

import io.sprawl.overlay.cluster.GossipManager;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Overlay nodes in this JVM on 127.0.0.1, in the core tests' own port range (23000-23999; their
 * failure-detection sockets take +1000), so they never meet a local cluster or the server tests.
 * Each node's probe rounds and election checks run on a timer thread here, as the EJB timers run
 * them in a server; a test may pause one node's probe rounds (a stuck overlay whose transport still
 * answers).
 */
public final class LocalNodes implements AutoCloseable {

    private static final AtomicInteger NEXT_PORT = new AtomicInteger(23000);
    /** One CA for every in-JVM node of the run: they run secured, as production does. */
    private static final TestPki PKI = new TestPki("test-pki");

    private final String clusterName;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, GossipManager> nodes = new LinkedHashMap<>();
    private final ScheduledExecutorService probeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-probe-timer");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> pausedProbes = ConcurrentHashMap.newKeySet();

    /** The CA the nodes' certificates come from. */
    public static TestPki pki() {
        return PKI;
    }

    public LocalNodes(String clusterName) {
        this.clusterName = clusterName;
    }

    /** Starts a node seeded with every node this kit has started before. */
    public GossipManager start(String id) throws Exception {
        return start(id, Map.of());
    }

    public GossipManager start(String id, Map<String, String> extra) throws Exception {
        int port = ports.computeIfAbsent(id, k -> NEXT_PORT.getAndIncrement());
        Map<String, String> settings = new HashMap<>();
        settings.put("sprawl.node.id", id);
        settings.put("sprawl.cluster.name", clusterName);
        settings.put("sprawl.bind.address", "127.0.0.1");
        settings.put("sprawl.gossip.port", Integer.toString(port));
        settings.put("sprawl.http.port", Integer.toString(port + 2000));
        settings.put("sprawl.join.timeout-ms", "1000");
        settings.put("sprawl.tls.dir", PKI.node(id).toString());
        settings.put("sprawl.seeds", ports.values().stream().map(p -> "127.0.0.1:" + p)
                .collect(Collectors.joining(",")));
        settings.putAll(extra);
        OverlayConfig config = OverlayConfig.from(settings);
        GossipManager node = new GossipManager(config, Clock.systemUTC());
        node.start();
        nodes.put(id, node);
        if (config.detector().enabled()) {
            long interval = config.detector().probeIntervalMillis();
            probeTimer.scheduleAtFixedRate(() -> {
                try {
                    if (!pausedProbes.contains(id) && nodes.get(id) == node) {
                        node.probeRound();
                    }
                } catch (RuntimeException e) {
                    // A failing round must not end this node's timer (a scheduled task that throws is dropped).
                    java.util.logging.Logger.getLogger(LocalNodes.class.getName()).log(java.util.logging.Level.WARNING,
                            "probe round of " + id + " failed", e);
                }
            }, interval, interval, TimeUnit.MILLISECONDS);
        }
        long election = config.leader().checkIntervalMillis();
        probeTimer.scheduleAtFixedRate(() -> {
            if (nodes.get(id) == node) {
                node.electionRound();
            }
        }, election, election, TimeUnit.MILLISECONDS);
        return node;
    }

    /** Stops (or resumes) a node's probe rounds: its overlay looks stuck while its transport still answers. */
    public void pauseProbes(String id, boolean paused) {
        if (paused) {
            pausedProbes.add(id);
        } else {
            pausedProbes.remove(id);
        }
    }

    public GossipManager node(String id) {
        return nodes.get(id);
    }

    public int port(String id) {
        return ports.get(id);
    }

    /** The nodes still running. */
    public List<GossipManager> running() {
        return nodes.values().stream().filter(GossipManager::transportUp).toList();
    }

    /** Waits until every running node shows exactly these members HEALTHY. */
    public void awaitHealthy(Duration timeout, String... ids) {
        List<String> want = List.of(ids);
        for (GossipManager n : running()) {
            Await.until(n.selfId() + " to show " + want + " HEALTHY", timeout,
                    () -> healthyIds(n).equals(want), () -> n.snapshot().members());
        }
    }

    /** Waits until every running node shows {@code id} in {@code state}. */
    public void awaitState(Duration timeout, String id, MemberState state) {
        for (GossipManager n : running()) {
            Await.until(n.selfId() + " to show " + id + " " + state, timeout,
                    () -> n.nodeState(id).orElse(null) == state, () -> n.snapshot().members());
        }
    }

    public static List<String> healthyIds(GossipManager n) {
        return n.snapshot().members().stream().filter(m -> m.state() == MemberState.HEALTHY).map(Member::id).sorted()
                .toList();
    }

    /** What must agree across nodes: id, state, incarnation, revision, metadata of each member. */
    public static List<String> table(GossipManager n) {
        List<String> rows = new ArrayList<>();
        for (Member m : n.snapshot().members()) {
            rows.add(m.id() + " " + m.state() + " #" + m.incarnation() + " r" + m.revision() + " " + m.metadata());
        }
        return rows;
    }

    @Override
    public void close() {
        probeTimer.shutdownNow();
        for (GossipManager n : nodes.values()) {
            try {
                n.close();
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        nodes.clear();
    }
}
