package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.InfinispanAddresses;
import io.sprawl.overlay.testkit.LocalNodes;
import io.sprawl.overlay.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.jgroups.JChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A secured cluster of three real nodes in this JVM against strangers on loopback: a plain JGroups
 * channel with the cluster's own stack but no certificate, one with a certificate of another CA, one
 * with the cluster CA's certificate that has expired, and raw garbage, truncated and replayed frames on
 * the cluster port. None gets in, none changes a view or a table, and every refusal is counted.
 */
class ClusterSecurityTest {

    private static final Duration SOON = Duration.ofSeconds(20);
    /** Long enough for the strangers' MERGE3 to have tried (every 0.75-2.25 s) many times. */
    private static final Duration WATCH = Duration.ofSeconds(12);
    /** Ports of the strangers, away from LocalNodes' (23000 up). */
    private static final int STRANGER_PORT = 23_900;

    private final String cluster = "security-" + System.nanoTime();
    private final LocalNodes nodes = new LocalNodes(cluster);
    private final List<JChannel> strangers = new ArrayList<>();

    @BeforeEach
    void startThree() throws Exception {
        nodes.start("a");
        nodes.start("b");
        nodes.start("c");
        nodes.awaitHealthy(SOON, "a", "b", "c");
    }

    @AfterEach
    void stop() {
        strangers.forEach(JChannel::close);
        nodes.close();
    }

    @Test
    void strangersWithoutAValidCertificateCannotJoinOrBeMergedIn() throws Exception {
        Map<String, List<String>> tables = tables();
        long refusedBefore = refused();
        TestPki foreignCa = new TestPki("test-pki-foreign");
        Path expired = LocalNodes.pki().expired("expired", "expired-node");

        strangers.add(stranger("plain", 0, null));
        strangers.add(stranger("foreign", 1, tls(foreignCa.node("foreign"), Clock.systemUTC())));
        // Loaded as of last week, when it was still valid: the nodes judge it by today.
        strangers.add(stranger("expired", 2, tls(expired, Clock.fixed(Instant.now().minus(Duration.ofDays(7)),
                ZoneOffset.UTC))));

        Await.until("the nodes to refuse all three", SOON, () -> refused() >= refusedBefore + 3,
                () -> statuses());
        watch(() -> {
            for (JChannel s : strangers) {
                assertEquals(1, s.getView().size(), s.getName() + " stays alone: " + s.getView());
            }
            for (String id : List.of("a", "b", "c")) {
                assertEquals(3, nodes.node(id).transport().channel().getView().size(), id + ": " + nodes.node(id).transport().channel()
                        .getView());
            }
        });
        assertEquals(tables, tables(), "the tables are as they were");
        long untrusted = 0;
        for (String id : List.of("a", "b", "c")) {
            untrusted += nodes.node(id).tls().orElseThrow().status().untrustedPeers();
        }
        assertTrue(untrusted >= 2, "the foreign and the expired certificate failed the trust check\n" + statuses());
    }

    @Test
    void garbageTruncatedAndReplayedFramesAreDroppedAndCounted() throws Exception {
        Map<String, List<String>> tables = tables();
        GossipManager a = nodes.node("a");
        int port = nodes.port("a");
        long refusedBefore = a.tls().orElseThrow().status().handshakesRefused();

        // A member's real handshake, recorded on its way through a relay.
        byte[] recorded = recordHandshake(port);
        assertTrue(recorded.length > 100, "a client hello and more: " + recorded.length);

        byte[] garbage = new byte[4096];
        new Random(11).nextBytes(garbage);
        send(port, garbage);
        send(port, java.util.Arrays.copyOf(recorded, 40)); // a client hello cut short
        send(port, recorded); // the whole of it again: TLS 1.3 gives every handshake fresh keys

        Await.until("a to refuse all three", SOON,
                () -> a.tls().orElseThrow().status().handshakesRefused() >= refusedBefore + 3,
                () -> a.tls().orElseThrow().status());
        watch(() -> {
            for (String id : List.of("a", "b", "c")) {
                assertEquals(3, nodes.node(id).transport().channel().getView().size());
            }
        });
        assertEquals(tables, tables());
        for (String id : List.of("a", "b", "c")) {
            var stats = nodes.node(id).detector().orElseThrow().stats();
            assertEquals(0, stats.malformedDropped() + stats.forgedDropped(), "nothing reached " + id + "'s detector");
        }
    }

    /** A client with a valid certificate handshakes through a relay that records what it sends. */
    private byte[] recordHandshake(int nodePort) throws Exception {
        ByteArrayOutputStream recorded = new ByteArrayOutputStream();
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread pump = new Thread(() -> {
                try (Socket in = relay.accept(); Socket out = new Socket(InetAddress.getLoopbackAddress(), nodePort)) {
                    Thread back = new Thread(() -> copy(out, in, null));
                    back.setDaemon(true);
                    back.start();
                    copy(in, out, recorded);
                } catch (Exception e) {
                    // the client closed: the recording is complete
                }
            });
            pump.setDaemon(true);
            pump.start();
            ClusterTls member = tls(LocalNodes.pki().node("recorder"), Clock.systemUTC());
            try (SSLSocket s = (SSLSocket) new TlsSocketFactory(member, null).createSocket("test",
                    InetAddress.getLoopbackAddress(), relay.getLocalPort())) {
                s.getOutputStream().write("not a JGroups peer".getBytes());
                s.getOutputStream().flush();
            }
            pump.join(5_000);
        }
        synchronized (recorded) {
            return recorded.toByteArray();
        }
    }

    private static void copy(Socket from, Socket to, ByteArrayOutputStream record) {
        byte[] buf = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                if (record != null) {
                    synchronized (record) {
                        record.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (Exception e) {
            // either side closed
        }
    }

    @Test
    void slowStrangersAreCutOffAndDoNotKeepAMemberOut() throws Exception {
        // Eight connections to each node that send a TLS record's first byte, then one byte every 500 ms:
        // each read returns within the socket timeout, so only a deadline on the whole handshake ends them.
        List<Thread> trickles = new ArrayList<>();
        Map<String, Long> heldMillis = new java.util.concurrent.ConcurrentHashMap<>();
        for (String id : List.of("a", "b", "c")) {
            for (int k = 0; k < 2 * TlsSocketFactory.HANDSHAKES_PER_PEER; k++) {
                String name = id + k;
                Thread t = new Thread(() -> heldMillis.put(name, trickle(nodes.port(id))), "trickle-" + name);
                t.setDaemon(true);
                t.start();
                trickles.add(t);
            }
        }
        nodes.start("d"); // joins while the slow ones hold their connections open
        nodes.awaitHealthy(SOON, "a", "b", "c", "d");
        for (Thread t : trickles) {
            t.join(30_000);
        }
        assertEquals(6 * TlsSocketFactory.HANDSHAKES_PER_PEER, heldMillis.size(), heldMillis.toString());
        long longest = heldMillis.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        System.out.println("slow handshakes were cut off after at most " + longest + " ms");
        assertTrue(longest < 10_000, "a trickling stranger held a connection " + longest + " ms: " + heldMillis);
    }

    /** Trickles a would-be handshake to this port until the node closes it (at most 20 s); how long that took. */
    private static long trickle(int port) {
        long start = System.currentTimeMillis();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = s.getOutputStream();
            out.write(0x16);
            for (int i = 0; i < 40; i++) {
                Thread.sleep(500);
                out.write(0x03);
                out.flush();
            }
        } catch (java.io.IOException e) {
            return System.currentTimeMillis() - start; // closed by the node
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Long.MAX_VALUE;
    }

    private static void send(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            s.shutdownOutput();
            s.setSoTimeout(5_000);
            s.getInputStream().readAllBytes(); // until the node closes it
        } catch (java.net.SocketException e) {
            // reset by the node: refused
        }
    }

    /** A JGroups channel with the nodes' own stack, seeded with them, as cluster member {@code name}. */
    private JChannel stranger(String name, int i, ClusterTls tls) throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put("sprawl.node.id", name);
        s.put("sprawl.cluster.name", cluster);
        s.put("sprawl.bind.address", "127.0.0.1");
        s.put("sprawl.gossip.port", Integer.toString(STRANGER_PORT + i));
        s.put("sprawl.join.timeout-ms", "1000");
        s.put("sprawl.cluster.security", "plaintext");
        s.put("sprawl.seeds", List.of("a", "b", "c").stream().map(id -> "127.0.0.1:" + nodes.port(id))
                .collect(Collectors.joining(",")));
        OverlayConfig c = OverlayConfig.from(s);
        JChannel ch = new JGroupsStack(c, tls).createChannel(cluster);
        ch.setName(name);
        InfinispanAddresses.addressedAsANode(ch, name); // refused for its certificate, not its address
        ch.connect(cluster);
        return ch;
    }

    private static ClusterTls tls(Path dir, Clock clock) {
        return ClusterTls.start(OverlayConfig.from(Map.of("sprawl.node.id", "x", "sprawl.tls.dir", dir.toString()))
                .security(), clock);
    }

    private long refused() {
        long n = 0;
        for (String id : List.of("a", "b", "c")) {
            n += nodes.node(id).tls().orElseThrow().status().handshakesRefused();
        }
        return n;
    }

    private String statuses() {
        StringBuilder b = new StringBuilder();
        for (String id : List.of("a", "b", "c")) {
            b.append(id).append(": ").append(nodes.node(id).tls().orElseThrow().status()).append('\n');
        }
        return b.toString();
    }

    /**
     * Who is in each node's table and in what state. Not the incarnations: three nodes in one JVM on a busy
     * machine may suspect each other for a moment (a pause of this JVM) and refute, which is no stranger's doing.
     */
    private Map<String, List<String>> tables() {
        Map<String, List<String>> out = new HashMap<>();
        for (String id : List.of("a", "b", "c")) {
            out.put(id, LocalNodes.healthyIds(nodes.node(id)));
        }
        return out;
    }

    /** Holds {@code check} true for the whole of {@link #WATCH}: what must never happen, watched for a while. */
    private static void watch(Runnable check) throws InterruptedException {
        long end = System.nanoTime() + WATCH.toNanos();
        for (int i = 0; i < 10_000 && System.nanoTime() < end; i++) {
            check.run();
            Thread.sleep(100);
        }
        check.run();
    }
}
