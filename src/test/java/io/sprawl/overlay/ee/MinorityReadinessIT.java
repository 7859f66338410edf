package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Reply;
import io.sprawl.overlay.testkit.Jmx;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Readiness of the deployed WAR (node it0 on the Arquillian server) when it is cut off in a minority:
 * two more Liberty servers of its cluster are started, it0 joins them through its Membership MXBean's
 * {@code joinSeeds}, then the two are paused (SIGSTOP: their sockets stay open, nothing answers). it0,
 * one of three, must report not ready, and ready again once they resume and the sides merge.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MinorityReadinessIT {

    private static final String ROOT = "http://127.0.0.1:" + System.getProperty("it.http.port", "28080");
    private static final Path SERVER = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"), "usr", "servers",
            "sprawl-it");
    /** Two nodes of it0's cluster (sprawl-it, certificates of its CA), on ports of their own: HTTP 29480+i, JGroups 27960+i. */
    private static final LauncherCluster OTHERS = new LauncherCluster("it-minority-cluster", "sprawl-it", 29480, 29843,
            27960, java.util.Map.of("SPRAWL_PKI_DIR", System.getProperty("it.pki", "target/it-pki")));

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "sprawl-overlay.war")
                .importFrom(new File(System.getProperty("it.war", "target/sprawl-overlay.war")))
                .as(WebArchive.class);
    }

    @Test
    void cutOffInAMinorityTheNodeIsNotReadyUntilTheHeal() throws Exception {
        try {
            assertEquals(0, OTHERS.launcher("start", "2"), "two more nodes of sprawl-it");
            try (JMXConnector c = Jmx.connect(SERVER)) {
                Object joined = c.getMBeanServerConnection().invoke(
                        new ObjectName("io.sprawl.overlay:type=Membership"), "joinSeeds",
                        new Object[] {"127.0.0.1:27960,127.0.0.1:27961"}, new String[] {String.class.getName()});
                assertEquals(Boolean.TRUE, joined, "it0 merged with the two");
            }
            awaitThreeAgreeOnOneLeader();
            assertEquals(200, ready().status());

            OTHERS.signal(0, "STOP");
            OTHERS.signal(1, "STOP");
            Reply[] seen = new Reply[1];
            try {
                Await.until("it0 not ready, one of three", Duration.ofSeconds(30), () -> {
                    seen[0] = ready();
                    return seen[0].status() == 503;
                }, () -> seen[0]);
                JsonObject check = readyCheck(seen[0]);
                assertTrue(check.getJsonObject("data").getString("cause").contains("without the majority"),
                        check.toString());
                assertEquals(503, Http.get(ROOT + "/overlay/health/check").status(), "the load balancers' check agrees");
                assertEquals(200, Http.get(ROOT + "/health/live").status(), "not ready is not dead: no restart");
            } finally {
                OTHERS.signal(0, "CONT");
                OTHERS.signal(1, "CONT");
            }
            Await.until("it0 ready again after the heal", Duration.ofSeconds(60), () -> {
                seen[0] = ready();
                return seen[0].status() == 200;
            }, () -> seen[0]);
            assertEquals(200, Http.get(ROOT + "/overlay/health/check").status());

            // Stopped right after the heal, the two say goodbye: LEFT, not FAILED (a node leaving answers probes
            // until it is gone, and no late refutation brings it back after its goodbye).
            assertEquals(0, OTHERS.launcher("stop"));
            Await.until("node0 and node1 LEFT on it0", Duration.ofSeconds(30),
                    () -> "LEFT".equals(stateOn(ROOT, "node0")) && "LEFT".equals(stateOn(ROOT, "node1")),
                    () -> Http.get(ROOT + "/overlay/api/events?since=0").body());
        } finally {
            OTHERS.launcher("stop");
        }
    }

    /** The state {@code id} has in the member table of the node at {@code url}, or null. */
    private static String stateOn(String url, String id) {
        return ((JsonArray) Http.get(url + "/overlay/api/members").json()).stream().map(JsonValue::asJsonObject)
                .filter(m -> m.getString("id").equals(id)).map(m -> m.getString("state")).findFirst().orElse(null);
    }

    private static Reply ready() {
        return Http.get(ROOT + "/health/ready");
    }

    private static JsonObject readyCheck(Reply r) {
        return r.object().getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> c.getString("name").equals("sprawl-overlay-ready")).findFirst().orElseThrow();
    }

    /** it0 and the two show three HEALTHY members and one leader in one term: the merge is over. */
    private static void awaitThreeAgreeOnOneLeader() {
        String[] urls = {ROOT, "http://127.0.0.1:" + OTHERS.httpPort(0), "http://127.0.0.1:" + OTHERS.httpPort(1)};
        Object[] last = new Object[1];
        Await.until("three members and one leader on all three", Duration.ofSeconds(60), () -> {
            String agreed = null;
            for (String u : urls) {
                Reply r = Http.get(u + "/overlay/health/membership");
                last[0] = r;
                if (r.status() != 200) {
                    return false;
                }
                JsonObject m = r.object();
                if (m.getJsonObject("counts").getInt("HEALTHY") != 3 || m.isNull("leader")) {
                    return false;
                }
                String leader = m.getString("leader") + "@" + m.getInt("leaderTerm");
                if (agreed != null && !agreed.equals(leader)) {
                    return false;
                }
                agreed = leader;
            }
            return true;
        }, () -> last[0]);
    }
}
