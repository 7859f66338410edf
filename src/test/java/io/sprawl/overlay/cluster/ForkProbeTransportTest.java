package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.membership.RecordStatus;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.InfinispanAddresses;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probes' transport on two real JGroups channels of the overlay's stack (no Infinispan): a probe
 * reaches the member named and only it, a broadcast every other member, a member no record names gets
 * nothing; and the process check: refused on this host means gone, a listening port or a host elsewhere
 * is no evidence.
 */
class ForkProbeTransportTest {

    private static final int PORT = 23_950;
    private final String cluster = "fork-" + System.nanoTime();
    private JChannel chA;
    private JChannel chB;
    private MembershipManager tableA;
    private MembershipManager tableB;
    private ForkProbeTransport a;
    private ForkProbeTransport b;
    private final BlockingQueue<Message> atA = new LinkedBlockingQueue<>();
    private final BlockingQueue<Message> atB = new LinkedBlockingQueue<>();

    private JChannel channel(String id, int port) throws Exception {
        OverlayConfig c = OverlayConfig.from(Map.of("sprawl.node.id", id, "sprawl.cluster.name", cluster,
                "sprawl.bind.address", "127.0.0.1", "sprawl.gossip.port", Integer.toString(port),
                "sprawl.cluster.security", "plaintext", "sprawl.seeds", "127.0.0.1:" + PORT + ",127.0.0.1:" + (PORT + 1)));
        JChannel ch = new JGroupsStack(c, null).createChannel(cluster);
        ch.setName(id);
        InfinispanAddresses.addressedAsANode(ch, id);
        ch.connect(cluster);
        return ch;
    }

    private static MemberRecord record(String id, JChannel ch, String address, int gossipPort) {
        return record(id, ch, address, gossipPort, 1);
    }

    /** A later {@code revision} replaces the table's entry: the member moved (for the process checks). */
    private static MemberRecord record(String id, JChannel ch, String address, int gossipPort, long revision) {
        return new MemberRecord(id, ClusterTransport.transportId((UUID) ch.getAddress()), address, gossipPort, 9080,
                "test", 1, 1, "", "", Map.of(), Map.of(), revision, 1, RecordStatus.ALIVE, 0);
    }

    @BeforeEach
    void start() throws Exception {
        chA = channel("a", PORT);
        chB = channel("b", PORT + 1);
        Await.until("a two-member view", Duration.ofSeconds(30), () -> chA.getView().size() == 2);
        tableA = new MembershipManager("a", Clock.systemUTC(), 60_000, 100);
        tableB = new MembershipManager("b", Clock.systemUTC(), 60_000, 100);
        for (MembershipManager t : List.of(tableA, tableB)) {
            t.viewChanged(1, Set.of(ClusterTransport.transportId((UUID) chA.getAddress()),
                    ClusterTransport.transportId((UUID) chB.getAddress())));
            t.recordChanged(record("a", chA, "127.0.0.1", PORT));
            t.recordChanged(record("b", chB, "127.0.0.1", PORT + 1));
        }
        a = new ForkProbeTransport(chA, tableA, atA::add);
        b = new ForkProbeTransport(chB, tableB, atB::add);
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, chA, chB, tableA, tableB}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    @Test
    void aProbeReachesTheMemberNamedAndABroadcastTheOthers() throws Exception {
        a.send("b", new byte[] {1, 2, 3});
        Message m = atB.poll(10, TimeUnit.SECONDS);
        assertTrue(m != null, "b got the probe");
        assertEquals(chA.getAddress(), m.getSrc());
        assertEquals(3, m.getLength());

        b.broadcast(new byte[] {9});
        Message all = atA.poll(10, TimeUnit.SECONDS);
        assertTrue(all != null && all.getLength() == 1, "a got the broadcast");

        // Nothing to a member no record names; and a broadcast is not looped back to its sender. An absence: the
        // next probe to b is delivered after anything sent before it on the same connection.
        a.send("nobody", new byte[] {7});
        a.send("b", new byte[] {8});
        Message next = atB.poll(10, TimeUnit.SECONDS);
        assertTrue(next != null && next.getArray()[next.getOffset()] == 8, "only the probe to b arrived");
        assertTrue(atB.isEmpty() && atA.isEmpty(), "nothing else: " + atA + " " + atB);
    }

    @Test
    void aRefusedConnectionOnThisHostMeansGoneAndNothingElseDoes() throws Exception {
        List<String> gone = new CopyOnWriteArrayList<>();
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // free again once closed
        }
        try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tableA.recordChanged(record("b", chB, "127.0.0.1", listening.getLocalPort() - JGroupsStack.FD_SOCK_OFFSET, 2));
            a.checkProcess("b", e -> gone.add("listening: " + e));
            // Not on this host: no connection is even tried (a network between could lie).
            tableA.recordChanged(record("b", chB, "192.0.2.1", PORT, 3));
            a.checkProcess("b", e -> gone.add("elsewhere: " + e));
            tableA.recordChanged(record("b", chB, "127.0.0.1", closed - JGroupsStack.FD_SOCK_OFFSET, 4));
            a.checkProcess("b", e -> gone.add("closed: " + e));
            // The checks run in order on one thread: once the last one answered, the first two had their turn.
            Await.until("the refused check to report", Duration.ofSeconds(10), () -> !gone.isEmpty());
        }
        assertEquals(1, gone.size(), gone.toString());
        assertTrue(gone.get(0).startsWith("closed: nothing listens on 127.0.0.1:" + closed), gone.toString());
    }
}
