package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DNS discovery against a real DNS server (dnsmasq, src/test/netns/dns.sh), run as a Kubernetes StatefulSet
 * with a headless service runs it: three nodes, each in its own network namespace with the same ports
 * (SPRAWL_PORT_STEP=0), started all at once (parallel pod management), each gated on its readiness (the
 * launcher waits for /health/ready), and one name whose A records are the nodes. The cases build on each
 * other, in order: a parallel start; a node whose name is not yet in DNS; a name removed, then that node
 * stopped (a scale-down); a full restart of every node at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DnsDiscoveryIT {

    private static final Path NETNS = Path.of("src/test/netns/netns.sh").toAbsolutePath();
    private static final Path DNS = Path.of("src/test/netns/dns.sh").toAbsolutePath();
    private static final String PREFIX = "sprawl-dns";
    private static final int NET = 77;
    private static final String NAME = "sprawl-dns.test";
    private static final String DNS_SERVER = "10.77.250.1";
    private static final LauncherCluster CLUSTER = new LauncherCluster("it-dns-cluster", "sprawl-it-dns",
            29780, 29843, 27700, Map.of("SPRAWL_NODE_ADDRESSES", "10.77.0.2 10.77.1.2 10.77.2.2",
                    "SPRAWL_NETNS_PREFIX", PREFIX + "-node", "SPRAWL_PORT_STEP", "0",
                    "SPRAWL_START_PARALLEL", "true", "SPRAWL_DISCOVERY", "dns", "SPRAWL_DNS_QUERY", NAME,
                    "SPRAWL_DNS_ADDRESS", DNS_SERVER + ":5353"));
    private static final Path DNS_DIR = CLUSTER.dir().resolve("dns");

    @BeforeAll
    static void namespacesAndDns() throws Exception {
        assertEquals(0, run(NETNS, "up", PREFIX, "3", Integer.toString(NET)), "netns.sh up (needs root)");
        assertEquals(0, run(DNS, "start", DNS_DIR.toString(), DNS_SERVER, "5353"), "dns.sh start");
    }

    @AfterAll
    static void removeThem() throws Exception {
        try {
            CLUSTER.launcher("stop");
        } finally {
            run(DNS, "stop", DNS_DIR.toString());
            run(NETNS, "down", PREFIX, "3");
        }
    }

    @Test
    @Order(1)
    void nodesStartedAtOnceFindEachOtherThroughTheName() throws Exception {
        publish(0, 1);
        long t0 = System.currentTimeMillis();
        assertEquals(0, CLUSTER.launcher("start", "2"), "two nodes started at once, ready and agreeing");
        System.out.println("dns: 2 nodes started at once ready and agreeing after " + (System.currentTimeMillis() - t0)
                + " ms");
        assertOneFormedTheCluster(2);
        assertOneLeader(2);
    }

    @Test
    @Order(2)
    void aNodeNotYetInDnsWaitsAndJoinsWhenItsNameAppears() throws Exception {
        int asked = queriesFrom(2);
        CompletableFuture<Integer> start = CompletableFuture.supplyAsync(() -> {
            try {
                return CLUSTER.launcher("start", "3");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // It keeps asking: its process is up and the name does not list it yet.
        Await.until("node2 to ask DNS for " + NAME + " ten times", Duration.ofSeconds(120),
                () -> queriesFrom(2) >= asked + 10, () -> queriesFrom(2) + " queries from node2");
        assertNotEquals(200, Http.get(CLUSTER.http(2) + "/health/ready").status(), "node2 ready before DNS lists it");
        for (int i : new int[] {0, 1}) {
            assertFalse(CLUSTER.table(i).stream().anyMatch(m -> m.startsWith("node2 ")),
                    "node" + i + " sees node2 before DNS lists it: " + CLUSTER.table(i));
        }
        long listedAt = System.currentTimeMillis();
        publish(0, 1, 2);
        int node = 0;
        Await.until("node0 to show node2 HEALTHY once DNS lists it", Duration.ofSeconds(60),
                () -> CLUSTER.table(node).stream().anyMatch(m -> m.startsWith("node2 HEALTHY")), () -> CLUSTER.table(node));
        System.out.println("dns: node2 HEALTHY at node0 " + (System.currentTimeMillis() - listedAt)
                + " ms after its name was published");
        assertEquals(0, start.get(300, TimeUnit.SECONDS), "local-cluster.sh start 3");
        // It joined the others' cluster directly: its first view held all three, it never formed one alone.
        assertEquals("3", firstViewSize(2), "node2 did not join the others directly");
        assertOneLeader(3);
    }

    @Test
    @Order(3)
    void aNameRemovedThenItsNodeStoppedIsAGracefulLeave() throws Exception {
        long before = lastSeq(0);
        publish(0, 1);
        // Removal from DNS alone changes nothing: the name is asked at every merge round (every 0.75-2.25 s), node2 stays.
        int asked = queriesFrom(0);
        Await.until("node0 to ask DNS again four times", Duration.ofSeconds(60), () -> queriesFrom(0) >= asked + 4,
                () -> queriesFrom(0) + " queries from node0");
        assertTrue(CLUSTER.table(0).stream().anyMatch(m -> m.startsWith("node2 HEALTHY")),
                "node2 no longer HEALTHY once only its name was removed: " + CLUSTER.table(0));
        long stoppedAt = System.currentTimeMillis();
        assertEquals(0, CLUSTER.launcher("stop", "2"), "local-cluster.sh stop 2 (SIGTERM's graceful stop)");
        for (int i : new int[] {0, 1}) {
            int n = i;
            Await.until("node" + i + " to show node2 LEFT", Duration.ofSeconds(30),
                    () -> CLUSTER.table(n).stream().anyMatch(m -> m.startsWith("node2 LEFT")), () -> CLUSTER.table(n));
        }
        System.out.println("dns: node2 LEFT at node0 and node1 within " + (System.currentTimeMillis() - stoppedAt)
                + " ms of the stop");
        List<String> states = CLUSTER.events(0, "node2").stream()
                .filter(e -> e.getJsonNumber("seq").longValue() > before).map(e -> e.getString("to")).toList();
        assertFalse(states.contains("FAILED") || states.contains("SUSPECT"), "node2's scale-down was not graceful: " + states);
    }

    @Test
    @Order(4)
    void aFullRestartOfEveryNodeAtOnceFormsOneCluster() throws Exception {
        publish(0, 1, 2);
        assertEquals(0, CLUSTER.launcher("stop"), "local-cluster.sh stop");
        long t0 = System.currentTimeMillis();
        assertEquals(0, CLUSTER.launcher("start", "3"), "three nodes started at once, each ready, one cluster");
        System.out.println("dns: full restart, 3 nodes started at once ready and agreeing after "
                + (System.currentTimeMillis() - t0) + " ms; first views: " + IntStream.range(0, 3)
                .mapToObj(DnsDiscoveryIT::firstViewSize).collect(Collectors.toList()));
        assertOneFormedTheCluster(3);
        assertOneLeader(3);
    }

    /** One cluster from the start: at most one node joined alone (the one that formed it), so none merged. */
    private static void assertOneFormedTheCluster(int n) {
        List<String> first = IntStream.range(0, n).mapToObj(DnsDiscoveryIT::firstViewSize).toList();
        assertTrue(first.stream().filter("1"::equals).count() <= 1, "more than one node formed a cluster alone: " + first);
    }

    /** Every node shows the same leader. */
    private static void assertOneLeader(int n) {
        Await.until("one leader at all " + n + " nodes", Duration.ofSeconds(30), () -> {
            List<String> leaders = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonObject l = CLUSTER.leader(i);
                leaders.add(l == null || l.isNull("leader") ? null : l.getString("leader"));
            }
            return !leaders.contains(null) && leaders.stream().distinct().count() == 1;
        });
    }

    /** The name's A records: these nodes. */
    private static void publish(int... nodes) throws Exception {
        String hosts = IntStream.of(nodes).mapToObj(i -> CLUSTER.host(i) + " " + NAME + "\n").collect(Collectors.joining());
        Files.writeString(DNS_DIR.resolve("hosts"), hosts);
        assertEquals(0, run(DNS, "reload", DNS_DIR.toString()));
    }

    /** How many times node i asked for the name (dnsmasq logs each query). */
    private static int queriesFrom(int i) {
        try {
            String line = "query[A] " + NAME + " from " + CLUSTER.host(i);
            return (int) Files.readAllLines(DNS_DIR.resolve("dnsmasq.log")).stream().filter(l -> l.endsWith(line)).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The size of the view node i joined with (its log's "joined cluster ... with N member(s)"). */
    private static String firstViewSize(int i) {
        try {
            List<String> lines = Files.readAllLines(CLUSTER.dir().resolve("logs/node" + i + "/messages.log"));
            return lines.stream().filter(l -> l.contains("joined cluster")).reduce((a, b) -> b)
                    .map(l -> l.replaceAll(".* with (\\d+) member\\(s\\).*", "$1")).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static long lastSeq(int i) {
        List<JsonObject> all = CLUSTER.allEvents(i);
        return all.isEmpty() ? 0 : all.get(all.size() - 1).getJsonNumber("seq").longValue();
    }

    private static int run(Path script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        return CLUSTER.run(cmd, Map.of(), 300);
    }
}
