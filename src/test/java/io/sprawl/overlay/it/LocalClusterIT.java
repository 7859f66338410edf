package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Reply;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Real Liberty servers, one process each, started by {@code server-config/local-cluster.sh} on the
 * tests' own ports (HTTP 29080+i, JGroups 27800+i), so a running local cluster is never touched.
 */
class LocalClusterIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final LauncherCluster CLUSTER = new LauncherCluster("it-cluster", "sprawl-it-cluster", 29080, 29443,
            27800);
    private static final Path DIR = CLUSTER.dir();

    @AfterAll
    static void stopAll() throws Exception {
        CLUSTER.launcher("stop");
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        CLUSTER.run(List.of(wlp.resolve("bin/server").toString(), "stop", "bad0"), Map.of("WLP_USER_DIR",
                DIR.resolve("wlp-usr").toString()), 120);
    }

    @Test
    void threeNodesAgreeACrashIsFailedWithinFiveSecondsAndTheNodeRejoins() throws Exception {
        assertEquals(0, launcher("start", "3"), "local-cluster.sh start 3");
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("node0 HEALTHY 1", "node1 HEALTHY 1", "node2 HEALTHY 1"), table(i));
        }

        long killedAt = System.currentTimeMillis();
        assertEquals(0, launcher("kill", "1"));
        for (int i : new int[] {0, 2}) {
            int node = i;
            Await.until("node" + i + " to show node1 FAILED", Duration.ofSeconds(5),
                    () -> table(node).contains("node1 FAILED 1"), () -> table(node));
        }
        for (int i : new int[] {0, 2}) {
            JsonObject failed = lastEvent(i, "node1");
            assertEquals("FAILED", failed.getString("to"));
            long detection = failed.getJsonNumber("time").longValue() - killedAt;
            System.out.println("node" + i + " saw node1 FAILED " + detection + " ms after kill -9");
            assertTrue(detection < 5_000, "detected after " + detection + " ms");
        }

        assertEquals(0, launcher("start", "3"), "local-cluster.sh start 3 brings node1 back");
        for (int i = 0; i < 3; i++) {
            int node = i;
            Await.until("node" + i + " to show node1 as incarnation 2", Duration.ofSeconds(30),
                    () -> table(node).equals(List.of("node0 HEALTHY 1", "node1 HEALTHY 2", "node2 HEALTHY 1")),
                    () -> table(node));
        }
        assertEquals("rejoined", lastEvent(0, "node1").getString("reason"));
    }

    @Test
    void aBadSettingStopsTheNodeWithOneLineAndItsStartupCheckStaysDown() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        Map<String, String> env = Map.of("WLP_USER_DIR", DIR.resolve("wlp-usr").toString());
        Path server = DIR.resolve("wlp-usr/servers/bad0");
        if (!Files.isDirectory(server)) {
            assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "create", "bad0"), env, 120));
        }
        Files.createDirectories(server.resolve("dropins"));
        Files.copy(ROOT.resolve("server-config/server.xml"), server.resolve("server.xml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(System.getProperty("it.war", "target/sprawl-overlay.war")),
                server.resolve("dropins/sprawl-overlay.war"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(server.resolve("server.env"), String.join("\n",
                "SPRAWL_NODE_ID=bad0", "SPRAWL_GOSSIP_PORT=70000", "SPRAWL_HTTP_PORT=29180",
                "SPRAWL_HTTPS_PORT=29543", "SPRAWL_CLUSTER_NAME=sprawl-it-bad", "") );
        assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "start", "bad0"), env, 180));

        String url = "http://127.0.0.1:29180";
        Await.until("bad0's startup check to answer", Duration.ofSeconds(60),
                () -> Http.get(url + "/health/started").status() == 503, () -> Http.get(url + "/health/started"));
        Reply started = Http.get(url + "/health/started");
        String expected = "sprawl.gossip.port=70000 is not allowed: expected a TCP port (the failure-detection socket"
                + " takes port+1000), a whole number from 1 to 64535";
        assertTrue(started.body().contains(expected), started.toString());
        Reply api = Http.get(url + "/overlay/api/members");
        assertEquals(503, api.status());
        assertEquals("not-started", api.object().getString("error"));
        assertEquals(503, Http.get(url + "/overlay/health/check").status());

        List<String> log = Files.readAllLines(server.resolve("logs/messages.log"));
        assertEquals(1, log.stream().filter(l -> l.contains("sprawl-overlay not started: " + expected)).count(),
                String.join("\n", log));

        // A secured node (the default) whose certificate is not where its setting says.
        assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "stop", "bad0"), env, 120));
        Files.writeString(server.resolve("server.env"), String.join("\n",
                "SPRAWL_NODE_ID=bad0", "SPRAWL_GOSSIP_PORT=27890", "SPRAWL_HTTP_PORT=29180",
                "SPRAWL_HTTPS_PORT=29543", "SPRAWL_CLUSTER_NAME=sprawl-it-bad", "SPRAWL_TLS_DIR=/nonexistent/tls", ""));
        Files.deleteIfExists(server.resolve("logs/messages.log"));
        assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "start", "bad0"), env, 180));
        String noCertificate = "sprawl.tls.dir=/nonexistent/tls is not allowed: /nonexistent/tls/tls.crt cannot be read"
                + " (NoSuchFileException); expected tls.crt, tls.key and ca.crt there, readable by the server's user";
        Await.until("bad0 to refuse to start without its certificate", Duration.ofSeconds(60),
                () -> Http.get(url + "/health/started").body().contains(noCertificate),
                () -> Http.get(url + "/health/started"));
        List<String> secured = Files.readAllLines(server.resolve("logs/messages.log"));
        assertEquals(1, secured.stream().filter(l -> l.contains("sprawl-overlay not started: " + noCertificate))
                .count(), String.join("\n", secured));
    }

    private static List<String> table(int i) {
        return CLUSTER.table(i);
    }

    private static JsonObject lastEvent(int i, String about) {
        List<JsonObject> events = CLUSTER.events(i, about);
        return events.get(events.size() - 1);
    }

    private static int launcher(String... args) throws Exception {
        return CLUSTER.launcher(args);
    }

    private static int run(List<String> cmd, Map<String, String> env, long timeoutSeconds) throws Exception {
        return CLUSTER.run(cmd, env, timeoutSeconds);
    }
}
