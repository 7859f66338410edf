package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The faults of a real network on five real Liberty servers, each in its own network namespace
 * (src/test/netns/netns.sh, root as CI runs): a 3+2 partition and its heal, the leader cut off alone, a
 * one-way partition, random loss on every link, a node behind 80 % loss, and a link that drops for a while
 * and comes back, again and again. Each test states what the overlay must do, and every test starts and
 * ends with one table of five HEALTHY members and one leader. (A REJECTing firewall against a DROPping
 * one: {@link FirewallIT}.) Loss is random, so the loss tests say what they saw, not only whether it held.
 *
 * <p>Durations: {@code -Dsprawl.faults.loss-seconds} (default 60) for each loss scenario,
 * {@code -Dsprawl.faults.cycles} (default 3) flip-flop cycles of 20 s down and 20 s up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

    private static final Path NETNS = Path.of("src/test/netns/netns.sh").toAbsolutePath();
    private static final String PREFIX = "sprawl-fs";
    private static final int NET = 79;
    private static final int N = 5;
    private static final LauncherCluster CLUSTER = new LauncherCluster("it-faults-cluster", "sprawl-it-faults",
            29880, 29980, 27640, Map.of("SPRAWL_NODE_ADDRESSES",
                    IntStream.range(0, N).mapToObj(i -> "10." + NET + "." + i + ".2").collect(Collectors.joining(" ")),
                    "SPRAWL_NETNS_PREFIX", PREFIX + "-node"));
    private static final long LOSS_SECONDS = Long.getLong("sprawl.faults.loss-seconds", 60);
    private static final int CYCLES = Integer.getInteger("sprawl.faults.cycles", 3);
    /** Long enough for a heal, and for a flapping node's longest hold-down (60 s) to end. */
    private static final Duration AGREE = Duration.ofSeconds(120);

    /** Each node's last event sequence number when the test began: what came after is the test's. */
    private final long[] before = new long[N];

    @BeforeAll
    static void namespaces() throws Exception {
        assertEquals(0, netns("up", PREFIX, Integer.toString(N), Integer.toString(NET)),
                "netns.sh up (needs root: see " + CLUSTER.dir().resolve("commands.log") + ")");
        assertEquals(0, CLUSTER.launcher("start", Integer.toString(N)), "local-cluster.sh start 5 in the namespaces");
    }

    @AfterAll
    static void removeThem() throws Exception {
        try {
            CLUSTER.launcher("stop");
        } finally {
            netns("down", PREFIX, Integer.toString(N));
        }
    }

    @BeforeEach
    void oneClusterFirst() {
        netnsQuietly("heal-all", PREFIX);
        awaitOneClusterAndOneLeader(all(), AGREE);
        for (int i = 0; i < N; i++) {
            List<JsonObject> events = CLUSTER.allEvents(i);
            before[i] = events.isEmpty() ? 0 : events.get(events.size() - 1).getJsonNumber("seq").longValue();
        }
    }

    @AfterEach
    void healed() {
        netnsQuietly("heal-all", PREFIX);
    }

    /** A 3+2 partition: the majority keeps (or elects) one leader, the minority shows none; healed, one of each. */
    @Test
    @Order(1)
    void aPartitionLeavesTheMinorityWithoutALeaderAndTheHealLeavesOneOfEach() throws Exception {
        JsonObject leader = awaitOneClusterAndOneLeader(all(), AGREE);
        int l = index(leader.getString("leader"));
        // The leader's side is the minority: the harder case, a new leader on the other side.
        List<Integer> minority = new ArrayList<>(List.of(l, (l + 1) % N));
        List<Integer> majority = all().stream().filter(i -> !minority.contains(i)).toList();
        long cutAt = System.currentTimeMillis();
        assertEquals(0, netns("split", PREFIX, join(minority), join(majority)));
        JsonObject elected = CLUSTER.awaitOneLeader(majority, leader.getInt("term"), AGREE);
        long electedAt = System.currentTimeMillis();
        for (int i : minority) {
            Await.until("node" + i + " (minority) to show no leader", AGREE, () -> {
                JsonObject v = CLUSTER.leader(i);
                return v != null && !v.getBoolean("majority") && v.isNull("leader");
            }, () -> CLUSTER.leader(i));
        }
        assertTrue(majority.contains(index(elected.getString("leader"))), elected.toString());
        long healAt = System.currentTimeMillis();
        assertEquals(0, netns("heal-all", PREFIX));
        JsonObject after = awaitOneClusterAndOneLeader(all(), AGREE);
        long agreedAt = System.currentTimeMillis();
        assertTrue(after.getInt("term") >= elected.getInt("term"), after + " after " + elected);
        System.out.println("3+2 partition (old leader node" + l + " in the minority): the majority named "
                + elected.getString("leader") + " in " + (electedAt - cutAt) + " ms; after the heal one table and "
                + "one leader (" + after.getString("leader") + "@" + after.getInt("term") + ") in " + (agreedAt - healAt)
                + " ms");
    }

    /** The leader cut off alone: the four elect another, it shows no majority; healed, it follows the new leader. */
    @Test
    @Order(2)
    void theLeaderCutOffAloneStopsLeadingAndTheOthersElectAnother() throws Exception {
        JsonObject leader = awaitOneClusterAndOneLeader(all(), AGREE);
        int l = index(leader.getString("leader"));
        List<Integer> others = all().stream().filter(i -> i != l).toList();
        assertEquals(0, netns("split", PREFIX, Integer.toString(l), join(others)));
        JsonObject elected = CLUSTER.awaitOneLeader(others, leader.getInt("term"), AGREE);
        assertNotEquals(leader.getString("leader"), elected.getString("leader"));
        Await.until("node" + l + " to stop leading", AGREE, () -> {
            JsonObject v = CLUSTER.leader(l);
            return v != null && !v.getBoolean("isLeader") && !v.getBoolean("majority");
        }, () -> CLUSTER.leader(l));
        assertEquals(0, netns("heal-all", PREFIX));
        JsonObject after = awaitOneClusterAndOneLeader(all(), AGREE);
        assertTrue(after.getInt("term") >= elected.getInt("term"), after.toString());
    }

    /**
     * One way: node A's packets to node B are lost, B's to A arrive. B's direct probes of A go unanswered, but
     * A answers the others, who relay: A is at most suspected, never FAILED, and the leadership does not move.
     */
    @Test
    @Order(3)
    void aOneWayPartitionIsNoFailure() throws Exception {
        JsonObject leader = awaitOneClusterAndOneLeader(all(), AGREE);
        int l = index(leader.getString("leader"));
        int a = (l + 1) % N;
        int b = (l + 2) % N;
        assertEquals(0, netns("oneway", PREFIX, Integer.toString(a), Integer.toString(b)));
        holdFor(Duration.ofSeconds(30));
        assertEquals(0, netns("heal-all", PREFIX));
        JsonObject after = awaitOneClusterAndOneLeader(all(), AGREE);
        List<String> failed = verdicts("FAILED");
        System.out.println("one way node" + a + " -> node" + b + " for 30 s: suspicions " + verdicts("SUSPECT").size()
                + ", FAILED " + failed);
        assertEquals(List.of(), failed, "a one-way cut failed a live node");
        assertEquals(leader.getString("leader") + "@" + leader.getInt("term"),
                after.getString("leader") + "@" + after.getInt("term"), "the leadership moved");
    }

    /**
     * 10 % of the packets on every link lost, for a minute or more: hundreds of suspicions, each refuted, and
     * the target is no FAILED. Probes ride TCP here, so a segment lost three times running is ~1.4 s of
     * retransmission: before the indirect probes had 250 ms at least, 60 s runs saw 0 to 4 verdicts (one victim,
     * told to all); since, 0 in each run (460-537 suspicions). The test holds a single verdict as its bound,
     * and no lasting damage; the count is printed.
     */
    @Test
    @Order(4)
    void tenPercentLossOnEveryLinkIsAtMostARareVerdictAndNoLastingOne() throws Exception {
        lossOnEveryLink("10");
        List<String> failed = verdicts("FAILED");
        System.out.println("10 % loss on every link for " + LOSS_SECONDS + " s: suspicions "
                + verdicts("SUSPECT").size() + ", FAILED " + failed + ", leader changes " + leaderChanges());
        assertTrue(failed.size() <= 1, "10 % loss failed live nodes: " + failed);
    }

    /** 30 % on every link: reported, and afterwards the cluster is whole again. */
    @Test
    @Order(5)
    void thirtyPercentLossOnEveryLinkIsSurvived() throws Exception {
        lossOnEveryLink("30");
        System.out.println("30 % loss on every link for " + LOSS_SECONDS + " s: suspicions "
                + verdicts("SUSPECT").size() + ", FAILED verdicts " + verdicts("FAILED").size() + ", leader changes "
                + leaderChanges());
    }

    /** A node behind 80 % loss is removed, not the healthy ones; healed, it rejoins. */
    @Test
    @Order(6)
    void aNodeBehindEightyPercentLossIsRemovedAndOnlyIt() throws Exception {
        JsonObject leader = awaitOneClusterAndOneLeader(all(), AGREE);
        int lossy = (index(leader.getString("leader")) + 1) % N;
        List<Integer> others = all().stream().filter(i -> i != lossy).toList();
        assertEquals(0, netns("loss", PREFIX, Integer.toString(lossy), "80"));
        for (int i : others) {
            Await.until("node" + i + " to show node" + lossy + " FAILED", AGREE,
                    () -> CLUSTER.table(i).stream().anyMatch(m -> m.startsWith("node" + lossy + " FAILED")),
                    () -> CLUSTER.table(i));
        }
        holdFor(Duration.ofSeconds(LOSS_SECONDS));
        List<String> rejoins = rejoinsOf(lossy, others);
        assertEquals(0, netns("heal-all", PREFIX));
        awaitOneClusterAndOneLeader(all(), AGREE);
        List<String> wrong = verdicts("FAILED").stream().filter(v -> !v.contains("node" + lossy + " ")).toList();
        System.out.println("80 % loss on node" + lossy + " for " + LOSS_SECONDS + " s: it was FAILED by all, rejoined "
                + rejoins.size() + " times meanwhile " + rejoins + "; other FAILED " + wrong);
        assertEquals(List.of(), wrong, "a healthy node failed beside the lossy one");
    }

    /**
     * Rapid's flip-flop: one node's links drop for 20 s and return for 20 s, again and again. The cluster does
     * not oscillate with it: per cycle at most one FAILED and one rejoin of that node, and no one else.
     */
    @Test
    @Order(7)
    void aFlipFloppingNodeDoesNotOscillateTheCluster() throws Exception {
        JsonObject leader = awaitOneClusterAndOneLeader(all(), AGREE);
        int flapping = (index(leader.getString("leader")) + 2) % N;
        List<Integer> others = all().stream().filter(i -> i != flapping).toList();
        for (int c = 0; c < CYCLES; c++) {
            assertEquals(0, netns("split", PREFIX, Integer.toString(flapping), join(others)));
            holdFor(Duration.ofSeconds(20));
            assertEquals(0, netns("heal-all", PREFIX));
            holdFor(Duration.ofSeconds(20));
        }
        JsonObject after = awaitOneClusterAndOneLeader(all(), AGREE);
        for (int i : others) {
            List<JsonObject> seen = eventsSince(i, "node" + flapping);
            long failed = seen.stream().filter(e -> e.getString("to").equals("FAILED")).count();
            List<String> rejoins = seen.stream().filter(e -> e.getString("to").equals("HEALTHY")
                    && "FAILED".equals(e.getString("from", ""))).map(e -> e.getString("reason")).toList();
            System.out.println("flip-flop of node" + flapping + ", " + CYCLES + " cycles of 20 s: node" + i + " saw "
                    + seen.stream().map(e -> e.getString("to")).toList() + "; rejoins " + rejoins);
            assertTrue(failed <= CYCLES && rejoins.size() <= CYCLES, "node" + i + " oscillated: " + seen);
            // Its second failure on holds it out: without the hold-down every rejoin is immediate.
            assertTrue(failed < 2 || rejoins.stream().anyMatch(r -> r.contains("hold-down")),
                    "node" + i + " took node" + flapping + " back at once every time: " + rejoins);
        }
        List<String> wrong = verdicts("FAILED").stream().filter(v -> !v.contains("node" + flapping + " ")).toList();
        assertEquals(List.of(), wrong, "the flip-flop failed another node");
        assertEquals(leader.getString("leader"), after.getString("leader"), "the leadership moved with the flapping node");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static List<Integer> all() {
        return IntStream.range(0, N).boxed().toList();
    }

    /** Waits until each of {@code nodes} shows five HEALTHY members and all name one leader in one term. */
    private static JsonObject awaitOneClusterAndOneLeader(List<Integer> nodes, Duration timeout) {
        Await.until("one table of five HEALTHY and one leader on " + nodes, timeout, () -> {
            Set<String> named = new TreeSet<>();
            for (int i : nodes) {
                if (CLUSTER.table(i).stream().filter(m -> m.contains(" HEALTHY ")).count() != N) {
                    return false;
                }
                JsonObject v = CLUSTER.leader(i);
                if (v == null || v.isNull("leader")) {
                    return false;
                }
                named.add(v.getString("leader") + "@" + v.getInt("term"));
            }
            return named.size() == 1;
        }, () -> nodes.stream().map(i -> "node" + i + " " + CLUSTER.table(i) + " " + CLUSTER.leader(i) + " "
                + lastAvailability(i)).toList());
        return CLUSTER.leader(nodes.get(0));
    }

    /** Node i's last word on the leader cache's availability and resolution: why a whole table has no leader. */
    private static String lastAvailability(int i) {
        Path log = CLUSTER.dir().resolve("logs/node" + i + "/messages.log");
        try (var lines = Files.lines(log)) {
            // Availability changes, conflict resolutions (started, finished, failed), and this overlay's own finish.
            return lines.filter(l -> l.contains("sprawl-leader") && l.matches(".*ISPN(100011|000320|1000\\d\\d).*")
                            || l.contains("the leader cache stayed"))
                    .reduce((a, b) -> b).map(l -> l.substring(Math.max(0, l.indexOf("ISPN")))).orElse("(none)");
        } catch (IOException | UncheckedIOException e) {
            return "(" + log + ": " + e + ")";
        }
    }

    /** PCT % loss on every link for the loss duration, from one whole cluster back to one whole cluster. */
    private static void lossOnEveryLink(String pct) throws Exception {
        awaitOneClusterAndOneLeader(all(), AGREE);
        assertEquals(0, netns("loss-all", PREFIX, Integer.toString(N), pct));
        holdFor(Duration.ofSeconds(LOSS_SECONDS));
        assertEquals(0, netns("heal-all", PREFIX));
        awaitOneClusterAndOneLeader(all(), AGREE);
    }

    /** The fault runs this long: a fault's duration, not a wait for a condition. */
    private static void holdFor(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }

    /** Node i's member events about {@code id} since this test began. */
    private List<JsonObject> eventsSince(int i, String id) {
        return CLUSTER.events(i, id).stream().filter(e -> e.getJsonNumber("seq").longValue() > before[i]).toList();
    }

    /** Every transition to {@code state} any node saw since this test began, as "nodeI saw nodeJ (reason)". */
    private List<String> verdicts(String state) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                if (i != j) {
                    for (JsonObject e : eventsSince(i, "node" + j)) {
                        if (e.getString("to").equals(state)) {
                            out.add("node" + i + " saw node" + j + " (" + e.getString("reason") + ")");
                        }
                    }
                }
            }
        }
        return out;
    }

    /** How often the others took {@code id} back (FAILED to HEALTHY) since this test began. */
    private List<String> rejoinsOf(int id, List<Integer> others) {
        List<String> out = new ArrayList<>();
        for (int i : others) {
            eventsSince(i, "node" + id).stream().filter(e -> e.getString("to").equals("HEALTHY"))
                    .forEach(e -> out.add("node" + i + ": " + e.getString("reason")));
        }
        return out;
    }

    /** New leader terms any node showed since this test began. */
    private long leaderChanges() {
        Set<Integer> terms = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            int node = i;
            CLUSTER.allEvents(i).stream().filter(e -> e.getString("type").equals("leader")
                    && e.getJsonNumber("seq").longValue() > before[node] && !e.isNull("node"))
                    .forEach(e -> terms.add(e.getInt("term")));
        }
        return terms.size();
    }

    private static int index(String nodeId) {
        return Integer.parseInt(nodeId.substring("node".length()));
    }

    private static String join(List<Integer> nodes) {
        return nodes.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private static int netns(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", NETNS.toString()));
        cmd.addAll(List.of(args));
        return CLUSTER.run(cmd, Map.of(), 300);
    }

    private static void netnsQuietly(String... args) {
        try {
            netns(args);
        } catch (Exception e) {
            throw new IllegalStateException("netns.sh " + String.join(" ", args), e);
        }
    }
}
