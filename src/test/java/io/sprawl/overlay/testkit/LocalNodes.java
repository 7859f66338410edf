package io.sprawl.overlay.testkit;

import io.sprawl.overlay.node.GossipManager;
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
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;

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

    /**
     * Stops a node's transport without a goodbye: to the others a crash, once the transport excluded
     * it. Its other threads stop at {@link #close}.
     */
    public void crash(String id) {
        nodes.get(id).transport().close();
    }

    /** {@code id} hears nothing from the others and they nothing from it: a crash, as far as they can tell. */
    public List<DISCARD> cut(String id, List<String> all) {
        return split(List.of(id), all.stream().filter(x -> !x.equals(id)).toList());
    }

    /** A partition: each side drops what it receives from the other (JGroups' DISCARD); remove them to heal. */
    public List<DISCARD> split(List<String> one, List<String> other) {
        List<DISCARD> out = new ArrayList<>();
        out.addAll(ignore(one, other));
        out.addAll(ignore(other, one));
        return out;
    }

    /** Heals what {@link #split} made: every DISCARD out of these nodes' stacks. */
    public void heal(List<String> ids) {
        for (String id : ids) {
            nodes.get(id).transport().channel().getProtocolStack().removeProtocol(DISCARD.class);
        }
    }

    private List<DISCARD> ignore(List<String> side, List<String> others) {
        List<Address> addresses = others.stream().map(id -> nodes.get(id).transport().channel().getAddress()).toList();
        List<DISCARD> out = new ArrayList<>();
        for (String id : side) {
            DISCARD d = new DISCARD();
            addresses.forEach(d::addIgnoreMember);
            try {
                nodes.get(id).transport().channel().getProtocolStack().insertProtocol(d, ProtocolStack.Position.ABOVE,
                        TP.class);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            out.add(d);
        }
        return out;
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
                    () -> healthyIds(n).equals(want), () -> n.membership().snapshot().members());
        }
    }

    /** Waits until every running node shows {@code id} in {@code state}. */
    public void awaitState(Duration timeout, String id, MemberState state) {
        for (GossipManager n : running()) {
            Await.until(n.selfId() + " to show " + id + " " + state, timeout,
                    () -> n.membership().nodeState(id).orElse(null) == state, () -> n.membership().snapshot().members());
        }
    }

    public static List<String> healthyIds(GossipManager n) {
        return n.membership().snapshot().members().stream().filter(m -> m.state() == MemberState.HEALTHY).map(Member::id).sorted()
                .toList();
    }

    /** What must agree across nodes: id, state, incarnation, revision, metadata of each member. */
    public static List<String> table(GossipManager n) {
        List<String> rows = new ArrayList<>();
        for (Member m : n.membership().snapshot().members()) {
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
