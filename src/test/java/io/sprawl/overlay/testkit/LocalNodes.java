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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Overlay nodes in this JVM on 127.0.0.1, in the core tests' own port range (23000-23999; their
 * failure-detection sockets take +1000), so they never meet a local cluster or the server tests.
 */
public final class LocalNodes implements AutoCloseable {

    private static final AtomicInteger NEXT_PORT = new AtomicInteger(23000);

    private final String clusterName;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, GossipManager> nodes = new LinkedHashMap<>();

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
        settings.put("sprawl.seeds", ports.values().stream().map(p -> "127.0.0.1:" + p)
                .collect(Collectors.joining(",")));
        settings.putAll(extra);
        GossipManager node = new GossipManager(OverlayConfig.from(settings), Clock.systemUTC());
        node.start();
        nodes.put(id, node);
        return node;
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
