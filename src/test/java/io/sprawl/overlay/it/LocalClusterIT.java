package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Reply;
import io.sprawl.overlay.testkit.Jmx;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
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
        stop("bad0");
        stop("reader0");
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

        // An operator's leave over JMX (the admin, through Liberty's REST connector): node2 hands over, says goodbye
        // and stops, while its server runs on, live, and says why it is not ready.
        Http.Login admin = CLUSTER.admin();
        try (JMXConnector c = Jmx.remote(ROOT.resolve("target/liberty/wlp"), URI.create(CLUSTER.https(2)).getPort(),
                admin.user(), admin.password())) {
            c.getMBeanServerConnection().invoke(new ObjectName("io.sprawl.overlay:type=Membership"), "leave",
                    new Object[0], new String[0]);
        }
        for (int i : new int[] {0, 1}) {
            int node = i;
            Await.until("node" + i + " to show node2 LEFT", Duration.ofSeconds(30),
                    () -> table(node).contains("node2 LEFT 1"), () -> table(node));
        }
        Reply ready = Http.get(CLUSTER.http(2) + "/health/ready");
        assertEquals(503, ready.status(), ready.toString());
        assertTrue(ready.body().contains("left the cluster (an operator's request (JMX))"), ready.toString());
        assertEquals(200, Http.get(CLUSTER.http(2) + "/health/live").status(), "its server is fine: no restart loop");
        assertEquals(503, Http.get(CLUSTER.http(2) + "/overlay/api/members").status());
    }

    @Test
    void aBadSettingStopsTheNodeWithOneLineAndItsStartupCheckStaysDown() throws Exception {
        Path server = scratch("bad0", "SPRAWL_ADMIN_PASSWORD=it-scratch-password", "SPRAWL_GOSSIP_PORT=70000");
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
        assertOneLine(server, "sprawl-overlay not started: " + expected);

        // A secured node (the default) whose certificate is not where its setting says.
        stop("bad0");
        scratch("bad0", "SPRAWL_ADMIN_PASSWORD=it-scratch-password", "SPRAWL_GOSSIP_PORT=27890",
                "SPRAWL_TLS_DIR=/nonexistent/tls");
        String noCertificate = "sprawl.tls.dir=/nonexistent/tls is not allowed: /nonexistent/tls/tls.crt cannot be read"
                + " (NoSuchFileException); expected tls.crt, tls.key and ca.crt there, readable by the server's user";
        Await.until("bad0 to refuse to start without its certificate", Duration.ofSeconds(60),
                () -> Http.get(url + "/health/started").body().contains(noCertificate),
                () -> Http.get(url + "/health/started"));
        assertOneLine(server, "sprawl-overlay not started: " + noCertificate);

        // No admin password: nobody could administer the node, so it does not start.
        stop("bad0");
        scratch("bad0", "SPRAWL_GOSSIP_PORT=27890", "SPRAWL_CLUSTER_SECURITY=plaintext");
        String noAdmin = "sprawl.admin.password= is not allowed: required: the admin's password";
        Await.until("bad0 to refuse to start without an admin password", Duration.ofSeconds(60),
                () -> Http.get(url + "/health/started").body().contains(noAdmin), () -> Http.get(url + "/health/started"));
        assertOneLine(server, "sprawl-overlay not started: " + noAdmin);
        assertEquals(503, Http.get(url + "/overlay/health/check").status());
    }

    @Test
    void readsCanRequireAReaderWhileTheProbesStayOpen() throws Exception {
        scratch("reader0", "SPRAWL_ADMIN_PASSWORD=it-scratch-password", "SPRAWL_GOSSIP_PORT=27891",
                "SPRAWL_CLUSTER_SECURITY=plaintext", "SPRAWL_HTTP_REQUIRE_READER=true", "SPRAWL_HTTP_PORT=29181",
                "SPRAWL_HTTPS_PORT=29544");
        String http = "http://127.0.0.1:29181";
        String https = "https://127.0.0.1:29544";
        Http.Login admin = new Http.Login("admin", "it-scratch-password");
        Await.until("reader0 to be ready", Duration.ofSeconds(90), () -> Http.get(http + "/health/ready").status() == 200,
                () -> Http.get(http + "/health/ready"));
        for (String probe : List.of("/health/ready", "/health/live", "/health/started", "/overlay/health/check")) {
            assertEquals(200, Http.get(http + probe).status(), probe + " stays open");
        }
        for (String read : List.of("/overlay/api/members", "/overlay/api/leader", "/overlay/health",
                "/overlay/health/membership")) {
            Reply plain = Http.get(http + read);
            assertEquals(403, plain.status(), read + " over HTTP: " + plain);
            assertEquals("https-required", plain.object().getString("error"));
            Reply anonymous = Http.get(https + read);
            assertEquals(401, anonymous.status(), read + " without credentials: " + anonymous);
            assertEquals("unauthenticated", anonymous.object().getString("error"));
            assertEquals(200, Http.get(https + read, admin).status(), read + " as the admin");
        }
        assertEquals("reader or admin, over HTTPS", Http.get(https + "/overlay/health", admin).object()
                .getJsonObject("security").getJsonObject("api").getString("reads"));
        // MicroProfile Metrics follows the same setting through server.xml: HTTPS and a reader or admin.
        assertTrue(Http.get(http + "/metrics").status() != 200, "/metrics over plain HTTP without credentials");
        assertEquals(401, Http.get(https + "/metrics").status(), "/metrics without credentials");
        Reply scraped = Http.get(https + "/metrics", admin);
        assertEquals(200, scraped.status(), "/metrics as the admin");
        assertTrue(scraped.body().contains("sprawl_"), "the overlay's gauges are in the scrape");
    }

    /**
     * A scratch server of the tests' own (not the launcher's), node id = its name, on HTTP 29180 and HTTPS
     * 29543 unless the settings say otherwise; started, its folder returned. Stopped by {@link #stopAll}.
     */
    private static Path scratch(String name, String... settings) throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        Path server = DIR.resolve("wlp-usr/servers/" + name);
        if (!Files.isDirectory(server)) {
            assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "create", name), serverEnv(), 120));
        }
        Files.createDirectories(server.resolve("dropins"));
        Files.copy(ROOT.resolve("server-config/server.xml"), server.resolve("server.xml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(System.getProperty("it.war", "target/sprawl-overlay.war")),
                server.resolve("dropins/sprawl-overlay.war"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // Later lines win in server.env, so a test's settings override these defaults.
        List<String> env = new java.util.ArrayList<>(List.of("keystore_password=it-scratch-keystore",
                "SPRAWL_NODE_ID=" + name, "SPRAWL_HTTP_PORT=29180", "SPRAWL_HTTPS_PORT=29543",
                "SPRAWL_CLUSTER_NAME=sprawl-it-" + name));
        env.addAll(List.of(settings));
        env.add("");
        Files.writeString(server.resolve("server.env"), String.join("\n", env));
        Files.deleteIfExists(server.resolve("logs/messages.log"));
        assertEquals(0, run(List.of(wlp.resolve("bin/server").toString(), "start", name), serverEnv(), 180));
        return server;
    }

    private static void stop(String name) throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        run(List.of(wlp.resolve("bin/server").toString(), "stop", name), serverEnv(), 120);
    }

    private static Map<String, String> serverEnv() {
        return Map.of("WLP_USER_DIR", DIR.resolve("wlp-usr").toString());
    }

    private static void assertOneLine(Path server, String line) throws Exception {
        List<String> log = Files.readAllLines(server.resolve("logs/messages.log"));
        assertEquals(1, log.stream().filter(l -> l.contains(line)).count(), String.join("\n", log));
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
