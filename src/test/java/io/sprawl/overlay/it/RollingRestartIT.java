package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rolling restart of five real Liberty servers (HTTP 29180+i, JGroups 27750+i), as an operator rolls a
 * configuration change: each node in turn stopped gracefully, started, and waited for until it is ready and
 * every node sees five HEALTHY members. Throughout, no node not being restarted is FAILED or LEFT anywhere
 * (a suspicion it refutes is counted, not failed); each restarted node is LEFT (a goodbye, not a failure) and then HEALTHY as a new process; the
 * leader changes at most once per restart of the leader and never otherwise; the others' message counts and
 * metadata are what they were.
 */
class RollingRestartIT {

    /**
     * No hand-over for a better score: every node here reads the same machine's CPU, at different instants, and
     * while a server starts beside them their forecasts differ by noise alone (CI: node0 handed over to node1 for
     * "0.59 against 0.39" while node3 restarted). What is tested is what a restart does to the leadership; a
     * hand-over for load is the election's, pinned by its own tests, and may come at any time in production.
     */
    private static final LauncherCluster CLUSTER = new LauncherCluster("it-rolling-cluster", "sprawl-it-rolling", 29180,
            29543, 27750, Map.of("SPRAWL_LEADER_HYSTERESIS", "1"));
    private static final int N = 5;

    @BeforeAll
    static void startFive() throws Exception {
        assertEquals(0, CLUSTER.launcher("start", Integer.toString(N)), "local-cluster.sh start 5");
    }

    @AfterAll
    static void stopAll() throws Exception {
        CLUSTER.launcher("stop");
    }

    @Test
    void everyNodeRestartedInTurnWithoutAFalseVerdictOrALostValue() throws Exception {
        Http.Login admin = CLUSTER.admin();
        for (int i = 0; i < N; i++) {
            Http.Reply r = Http.post(CLUSTER.https(i) + "/overlay/api/messages", "{\"count\":" + (10 + i) + "}", admin);
            assertEquals(200, r.status(), r.toString());
            r = Http.put(CLUSTER.https(i) + "/overlay/api/members/node" + i + "/metadata", "{\"shard\":\"s" + i + "\"}",
                    admin);
            assertEquals(200, r.status(), r.toString());
        }
        Await.until("every node to count every node's messages", Duration.ofSeconds(20), () -> {
            for (int i = 0; i < N; i++) {
                if (counts(i).size() != N) {
                    return false;
                }
            }
            return true;
        }, () -> counts(0));
        List<String> report = new ArrayList<>();
        // A SUSPECT refuted in time is no verdict (the state transfer of a join can delay a probe); it is counted.
        long suspicions = 0;
        for (int restarted = 0; restarted < N; restarted++) {
            int watcher = (restarted + 1) % N;
            Map<String, Long> countsBefore = counts(watcher);
            Map<String, String> metadataBefore = shards(watcher);
            JsonObject leaderBefore = CLUSTER.leader(watcher);
            String oldTransport = member(watcher, "node" + restarted).getString("transportId");
            long t0 = System.currentTimeMillis();
            assertEquals(0, CLUSTER.launcher("stop", Integer.toString(restarted)), "stop node" + restarted);
            long stopped = System.currentTimeMillis();
            assertEquals(0, CLUSTER.launcher("start", Integer.toString(N)), "start node" + restarted + " again");
            long ready = System.currentTimeMillis();
            String who = "node" + restarted;
            for (int i = 0; i < N; i++) {
                for (int other = 0; other < N; other++) {
                    // The restarted node's own history starts anew: its peers join its new table.
                    if (other == restarted || other == i || i == restarted) {
                        continue;
                    }
                    List<JsonObject> since = CLUSTER.events(i, "node" + other).stream()
                            .filter(e -> e.getJsonNumber("time").longValue() >= t0).toList();
                    assertEquals(List.of(), notRefuted(since), "node" + i + " on node" + other + " while " + who
                            + " restarted");
                    suspicions += since.stream().filter(e -> e.getString("to").equals("SUSPECT")).count();
                }
                if (i != restarted) {
                    List<JsonObject> since = CLUSTER.events(i, who).stream()
                            .filter(e -> e.getJsonNumber("time").longValue() >= t0).toList();
                    List<String> seen = since.stream().map(e -> e.getString("to")).toList();
                    assertEquals(List.of("LEFT", "HEALTHY"), seen.subList(0, Math.min(2, seen.size())),
                            "node" + i + " on " + who + ": " + seen);
                    // Then at most suspicions it refuted: a process still warming up may miss a probe's deadline.
                    List<JsonObject> after = since.subList(2, since.size());
                    assertEquals(List.of(), notRefuted(after), "node" + i + " on " + who + " after it rejoined");
                    suspicions += after.stream().filter(e -> e.getString("to").equals("SUSPECT")).count();
                    assertNotEquals(oldTransport, member(i, who).getString("transportId"), "a new process");
                }
            }
            JsonObject leaderAfter = awaitOneLeader();
            List<JsonObject> changes = CLUSTER.allEvents(watcher).stream()
                    .filter(e -> e.getString("type").equals("leader") && e.getJsonNumber("time").longValue() >= t0)
                    .toList();
            boolean wasLeader = who.equals(leaderBefore.getString("leader", ""));
            // A leader's hand-over may show as "none" for a moment before its successor: count new terms with a leader.
            long newTerms = changes.stream().filter(e -> !e.isNull("node")).map(e -> e.getInt("term")).distinct().count();
            assertTrue(newTerms <= (wasLeader ? 1 : 0) && (wasLeader || changes.isEmpty()), who + " was "
                    + (wasLeader ? "" : "not ") + "the leader; leader changes: " + changes);
            if (!wasLeader) {
                assertEquals(leaderBefore.getString("leader"), leaderAfter.getString("leader"));
                assertEquals(leaderBefore.getInt("term"), leaderAfter.getInt("term"));
            }
            Map<String, Long> countsAfter = counts(watcher);
            Map<String, String> metadataAfter = shards(watcher);
            for (int other = 0; other < N; other++) {
                if (other != restarted) {
                    assertEquals(countsBefore.get("node" + other), countsAfter.get("node" + other), "count of node" + other);
                    assertEquals(metadataBefore.get("node" + other), metadataAfter.get("node" + other),
                            "metadata of node" + other);
                }
            }
            report.add(who + ": stop " + (stopped - t0) + " ms, start to ready " + (ready - stopped) + " ms, leader "
                    + leaderBefore.getString("leader") + "@" + leaderBefore.getInt("term") + " -> "
                    + leaderAfter.getString("leader") + "@" + leaderAfter.getInt("term"));
        }
        System.out.println("rolling restart: " + report + "; refuted suspicions: " + suspicions);
    }

    /** The events that are neither a suspicion nor its refutation, as "STATE (reason)". */
    private static List<String> notRefuted(List<JsonObject> events) {
        return events.stream().filter(e -> !e.getString("to").equals("SUSPECT") && !e.getString("reason").equals("refuted"))
                .map(e -> e.getString("to") + " (" + e.getString("reason") + ")").toList();
    }

    private static JsonObject awaitOneLeader() {
        return CLUSTER.awaitOneLeader(java.util.stream.IntStream.range(0, N).boxed().toList(), 0, Duration.ofSeconds(15));
    }

    private static Map<String, Long> counts(int i) {
        JsonObject byNode = ((JsonObject) Http.get(CLUSTER.http(i) + "/overlay/api/messages").json())
                .getJsonObject("byNode");
        Map<String, Long> out = new HashMap<>();
        byNode.forEach((k, v) -> out.put(k, ((jakarta.json.JsonNumber) v).longValue()));
        return out;
    }

    private static Map<String, String> shards(int i) {
        Map<String, String> out = new HashMap<>();
        for (int m = 0; m < N; m++) {
            JsonObject meta = member(i, "node" + m).getJsonObject("metadata");
            out.put("node" + m, meta.getString("shard", ""));
        }
        return out;
    }

    private static JsonObject member(int i, String id) {
        return (JsonObject) Http.get(CLUSTER.http(i) + "/overlay/api/members/" + id).json();
    }
}
