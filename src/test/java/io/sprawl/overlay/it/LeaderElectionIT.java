package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The election between five real Liberty servers (HTTP 29380+i, JGroups 27870+i): every node names
 * one leader; after {@code kill -9} of the leader every survivor names one new leader with a higher
 * term; the leader steps down on request, and a node that does not lead refuses to; after a majority is
 * lost to crashes, an operator's confirmation lets the survivors elect. (A node cut off in a minority:
 * MinorityReadinessIT.)
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderElectionIT {

    private static final LauncherCluster CLUSTER = new LauncherCluster("it-leader-cluster", "sprawl-it-leader", 29380,
            29743, 27870);
    private static final int N = 5;
    private static final List<Integer> alive = new ArrayList<>(List.of(0, 1, 2, 3, 4));

    @BeforeAll
    static void startFive() throws Exception {
        assertEquals(0, CLUSTER.launcher("start", Integer.toString(N)), "local-cluster.sh start 5");
    }

    @AfterAll
    static void stopAll() throws Exception {
        CLUSTER.launcher("stop");
    }

    @Test
    @Order(1)
    void everyNodeNamesOneLeaderThatHoldsItsLease() {
        JsonObject view = awaitOneLeader(0);
        int leader = index(view.getString("leader"));
        awaitLease(leader);
        for (int i : alive) {
            JsonObject v = CLUSTER.leader(i);
            assertTrue(v.getBoolean("majority"));
            assertEquals(i == leader, v.getBoolean("isLeader"), "node" + i + ": " + v);
            assertFalse(v.getString("reason").isEmpty());
            JsonObject membership = (JsonObject) Http.get("http://127.0.0.1:" + CLUSTER.httpPort(i)
                    + "/overlay/health/membership").json();
            assertEquals(view.getString("leader"), membership.getString("leader"));
        }
    }

    @Test
    @Order(2)
    void afterKillOfTheLeaderEverySurvivorNamesOneNewLeaderWithAHigherTerm() throws Exception {
        JsonObject before = awaitOneLeader(0);
        int old = index(before.getString("leader"));
        long killedAt = System.currentTimeMillis();
        assertEquals(0, CLUSTER.launcher("kill", Integer.toString(old)));
        alive.remove(Integer.valueOf(old));
        JsonObject after = awaitOneLeader(before.getInt("term"));
        long agreedAt = System.currentTimeMillis();
        assertNotEquals(before.getString("leader"), after.getString("leader"));
        assertTrue(after.getInt("term") > before.getInt("term"));
        // A killed process is proven gone (its port refuses, its connections closed in order): no lease to wait out.
        assertTrue(after.getString("reason").contains(before.getString("leader") + "'s process is gone"),
                after.getString("reason"));
        List<String> report = new ArrayList<>();
        for (int i : alive) {
            JsonObject change = CLUSTER.allEvents(i).stream().filter(e -> e.getString("type").equals("leader")
                    && e.getInt("term") == after.getInt("term")).findFirst().orElseThrow();
            report.add("node" + i + " " + (change.getJsonNumber("time").longValue() - killedAt) + " ms");
        }
        System.out.println("new leader " + after.getString("leader") + " (term " + after.getInt("term")
                + ") after kill -9 of node" + old + ": " + report + "; all agreed within " + (agreedAt - killedAt)
                + " ms; reason: " + after.getString("reason"));
    }

    @Test
    @Order(3)
    void theLeaderStepsDownOnRequestAndOthersRefuse() {
        JsonObject before = awaitOneLeader(0);
        int leader = index(before.getString("leader"));
        awaitLease(leader);
        int other = alive.stream().filter(i -> i != leader).findFirst().orElseThrow();
        Http.Login admin = CLUSTER.admin();
        Http.Reply refused = Http.post(CLUSTER.https(other) + "/overlay/api/leader/step-down", "", admin);
        assertEquals(409, refused.status(), refused.toString());
        assertEquals("not-leader", ((JsonObject) refused.json()).getString("error"));

        // 409 busy while the membership is still changing (a rebalance after the kill): ask again.
        Http.Reply[] done = new Http.Reply[1];
        Await.until("the step-down to be accepted", Duration.ofSeconds(15), () -> {
            done[0] = Http.post(CLUSTER.https(leader) + "/overlay/api/leader/step-down", "", admin);
            return done[0].status() != 409 || !done[0].body().contains("\"busy\"");
        }, () -> done[0]);
        assertEquals(200, done[0].status(), done[0].toString());
        JsonObject after = awaitOneLeader(before.getInt("term"));
        assertNotEquals(before.getString("leader"), after.getString("leader"));
        assertTrue(after.getString("reason").contains("step-down of " + before.getString("leader")),
                after.getString("reason"));
    }

    @Test
    @Order(4)
    void aMajorityLostToCrashesIsRecoveredByAnOperatorOnly() throws Exception {
        awaitOneLeader(0);
        Http.Login admin = CLUSTER.admin();
        String url = CLUSTER.https(alive.get(0)) + "/overlay/api/leader/recover-majority";
        Http.Reply reachable = Http.post(url, "{\"lost\":[\"node" + alive.get(1) + "\"]}", admin);
        assertEquals(409, reachable.status(), reachable.toString());
        assertEquals("majority-reachable", ((JsonObject) reachable.json()).getString("error"));

        // Two of the four crash at once: the two left are half, not a majority, of the last agreed membership.
        List<Integer> lost = List.of(alive.get(2), alive.get(3));
        CLUSTER.run(List.of("kill", "-9", Long.toString(CLUSTER.pid(lost.get(0))), Long.toString(CLUSTER.pid(lost.get(1)))),
                java.util.Map.of(), 10);
        alive.removeAll(lost);
        Await.until("the survivors " + alive + " to lose the majority", Duration.ofSeconds(15), () -> alive.stream()
                .allMatch(i -> CLUSTER.leader(i) != null && !CLUSTER.leader(i).getBoolean("majority")),
                () -> alive.stream().map(CLUSTER::leader).toList());
        for (int i : alive) {
            assertTrue(CLUSTER.leader(i).isNull("leader"), "no leader without a majority: " + CLUSTER.leader(i));
        }

        String lostIds = "\"node" + lost.get(0) + "\",\"node" + lost.get(1) + "\"";
        Http.Reply anonymous = Http.post(url, "{\"lost\":[" + lostIds + "]}");
        assertTrue(anonymous.status() == 401 || anonymous.status() == 403, anonymous.toString());
        Http.Reply partial = Http.post(url, "{\"lost\":[\"node" + lost.get(0) + "\"]}", admin);
        assertEquals(409, partial.status(), partial.toString());
        assertEquals("unconfirmed", ((JsonObject) partial.json()).getString("error"));
        Http.Reply visible = Http.post(url, "{\"lost\":[" + lostIds + ",\"node" + alive.get(1) + "\"]}", admin);
        assertEquals(409, visible.status(), visible.toString());
        assertEquals("not-lost", ((JsonObject) visible.json()).getString("error"));
        Http.Reply malformed = Http.post(url, "{\"lost\":\"node" + lost.get(0) + "\"}", admin);
        assertEquals(400, malformed.status(), malformed.toString());

        Http.Reply done = Http.post(url, "{\"lost\":[" + lostIds + "]}", admin);
        assertEquals(200, done.status(), done.toString());
        JsonObject outcome = (JsonObject) done.json();
        assertEquals(lost.stream().map(i -> "node" + i).sorted().toList(),
                outcome.getJsonArray("lost").getValuesAs(jakarta.json.JsonString::getString));
        assertTrue(outcome.getString("by").startsWith("admin"), outcome.toString());
        // A survivor leads: the old leader if it survived (its record stands, its renewals resume), else a new term.
        JsonObject after = awaitOneLeader(0);
        assertTrue(alive.contains(index(after.getString("leader"))), after.toString());
        for (int i : alive) {
            assertTrue(CLUSTER.leader(i).getBoolean("majority"), CLUSTER.leader(i).toString());
        }
        JsonObject recorded = CLUSTER.allEvents(alive.get(0)).stream().filter(e -> e.getString("type").equals("operator"))
                .findFirst().orElseThrow();
        assertTrue(recorded.getString("node").startsWith("admin"), recorded.toString());
        assertTrue(recorded.getString("reason").contains("confirming [" + String.join(", ", lost.stream()
                .map(i -> "node" + i).sorted().toList()) + "] lost"), recorded.toString());
    }

    /** Waits until every live node names the same leader in the same term, above {@code aboveTerm}. */
    private static JsonObject awaitOneLeader(int aboveTerm) {
        return CLUSTER.awaitOneLeader(alive, aboveTerm, Duration.ofSeconds(10));
    }

    private static void awaitLease(int leader) {
        Await.until("node" + leader + " to hold its lease", Duration.ofSeconds(5),
                () -> CLUSTER.leader(leader).getBoolean("isLeader"));
    }

    private static int index(String nodeId) {
        return Integer.parseInt(nodeId.substring("node".length()));
    }
}
