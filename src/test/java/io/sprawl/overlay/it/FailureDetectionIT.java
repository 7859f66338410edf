package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The failure detector between five real Liberty servers (HTTP 29280+i, JGroups 27850+i): a paused
 * process that comes back within a second is never declared FAILED; a killed one is, by every survivor.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureDetectionIT {

    private static final LauncherCluster CLUSTER = new LauncherCluster("it-fd-cluster", "sprawl-it-fd", 29280, 29643,
            27850);
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
    @Order(1)
    void aOneSecondPauseIsNeverAFailure() throws Exception {
        CLUSTER.signal(3, "STOP");
        try {
            Thread.sleep(1_000); // the pause itself
        } finally {
            CLUSTER.signal(3, "CONT");
        }
        long resumed = System.currentTimeMillis();
        // No FAILED can come after this: a verdict needs a running suspicion, which ends only in a verdict or in a
        // refutation (HEALTHY again). An observer that shows node3 HEALTHY with an ack from after the resume holds none.
        for (int i = 0; i < N; i++) {
            if (i == 3) {
                continue;
            }
            int observer = i;
            Await.until("node" + i + " to hear from node3 after the resume", Duration.ofSeconds(30), () -> {
                JsonObject m = Http.get(CLUSTER.http(observer) + "/overlay/api/members/node3").object();
                String state = m.getString("state");
                return state.equals("FAILED") // no need to wait: the assertion below says what happened
                        || state.equals("HEALTHY") && m.getJsonNumber("lastAckAt").longValue() > resumed;
            });
        }
        for (int i = 0; i < N; i++) {
            if (i == 3) {
                continue;
            }
            List<JsonObject> aboutNode3 = CLUSTER.events(i, "node3");
            assertTrue(aboutNode3.stream().noneMatch(e -> e.getString("to").equals("FAILED")),
                    "node" + i + ": " + aboutNode3);
            assertTrue(CLUSTER.table(i).stream().anyMatch(r -> r.startsWith("node3 HEALTHY")), CLUSTER.table(i)
                    .toString());
        }
    }

    @Test
    @Order(2)
    void aKilledNodeIsFailedByEverySurvivor() throws Exception {
        long killedAt = System.currentTimeMillis();
        assertEquals(0, CLUSTER.launcher("kill", "1"));
        List<String> report = new ArrayList<>();
        for (int i : new int[] {0, 2, 3, 4}) {
            int node = i;
            Await.until("node" + i + " to show node1 FAILED", Duration.ofSeconds(5),
                    () -> CLUSTER.table(node).stream().anyMatch(r -> r.startsWith("node1 FAILED")),
                    () -> CLUSTER.table(node));
            List<JsonObject> events = CLUSTER.events(i, "node1");
            JsonObject failed = events.get(events.size() - 1);
            report.add("node" + i + " " + (failed.getJsonNumber("time").longValue() - killedAt) + " ms ("
                    + failed.getString("reason") + ")");
        }
        System.out.println("node1 FAILED after kill -9: " + report);
    }
}
