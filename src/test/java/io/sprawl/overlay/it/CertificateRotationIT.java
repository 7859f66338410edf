package io.sprawl.overlay.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.LauncherCluster;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The README's rotation, run on three live Liberty servers while they carry traffic: every node trusts
 * the old and the new CA, then each takes a certificate of the new CA, then trusts the new CA only.
 * No member is ever FAILED, the leader keeps its term, every request succeeds; afterwards a node with a
 * certificate of the old CA can no longer join. Ports: HTTP 29580+i, JGroups 27920+i.
 */
class CertificateRotationIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final LauncherCluster CLUSTER = new LauncherCluster("it-rotation-cluster", "sprawl-it-rotation",
            29580, 29943, 27920);
    private static final Path PKI = CLUSTER.dir().resolve("pki");
    private static final Duration RELOAD = Duration.ofSeconds(30);

    @AfterAll
    static void stopAll() throws Exception {
        CLUSTER.launcher("stop");
    }

    @Test
    void rotatingToANewCaKeepsEveryMemberTheLeaderAndTheTraffic() throws Exception {
        CLUSTER.launcher("stop");
        deleteTree(PKI); // a fresh CA: the first start makes it
        assertEquals(0, CLUSTER.launcher("start", "3"), "local-cluster.sh start 3");
        JsonObject before = CLUSTER.leader(0);
        String leader = before.getString("leader");
        long term = before.getJsonNumber("term").longValue();
        String oldCa = tls(0).getString("issuer");

        Traffic traffic = new Traffic(CLUSTER.admin());
        traffic.start();
        try {
            // Traffic before the first step and after the last (below): it runs throughout.
            Await.until("five requests before the rotation", Duration.ofSeconds(30), () -> traffic.sent.get() >= 5,
                    () -> traffic.sent.get());
            pki("ca", PKI.resolve("ca2").toString(), "sprawl-it-rotation-ca2");
            // 1. install: every node trusts both CAs.
            for (int i = 0; i < 3; i++) {
                pki("trust", node(i), PKI.resolve("ca").toString(), PKI.resolve("ca2").toString());
            }
            awaitEvery("trusts two CAs", t -> t.getJsonArray("trustedCas").size() == 2);
            // 2. use: node by node, a certificate of the new CA.
            for (int i = 0; i < 3; i++) {
                pki("node", PKI.resolve("ca2").toString(), node(i), "node" + i);
                int n = i;
                Await.until("node" + i + " to show its new certificate", RELOAD,
                        () -> tls(n).getString("issuer").contains("ca2"), () -> tls(n));
            }
            // 3. remove: every node trusts the new CA only.
            for (int i = 0; i < 3; i++) {
                pki("trust", node(i), PKI.resolve("ca2").toString());
            }
            awaitEvery("trusts the new CA only", t -> t.getJsonArray("trustedCas").size() == 1
                    && t.getJsonArray("trustedCas").getString(0).contains("ca2"));
            // The steps take seconds; traffic goes on over the re-opened connections a while after the last.
            int after = traffic.sent.get();
            Await.until("ten more requests after the last step", Duration.ofSeconds(30),
                    () -> traffic.sent.get() >= after + 10, () -> traffic.sent.get());
        } finally {
            traffic.stop();
        }

        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("node0 HEALTHY", "node1 HEALTHY", "node2 HEALTHY"), states(i),
                    "node" + i + " kept every member");
            List<JsonObject> failed = memberEvents(i, "FAILED");
            assertEquals(List.of(), failed, "node" + i + " never showed a member FAILED");
            // Reported, not asserted: a suspicion refuted in milliseconds is no failover (the benchmark counts them).
            System.out.println("node" + i + " saw " + memberEvents(i, "SUSPECT").size() + " suspicion(s) during the rotation");
            JsonObject now = CLUSTER.leader(i);
            assertEquals(leader, now.getString("leader"), "node" + i + ": the same leader");
            assertEquals(term, now.getJsonNumber("term").longValue(), "node" + i + ": in the same term");
            assertEquals(3, tls(i).getInt("reloads"), "node" + i + " took each step");
            assertNotEquals(oldCa, tls(i).getString("issuer"));
        }
        System.out.println(traffic.sent.get() + " admin requests during the rotation");
        assertEquals(List.of(), traffic.failures, "every request was answered");

        // The old CA is retired: a node whose certificate it signed is refused by all.
        long refusedBefore = refused();
        assertNotEquals(0, CLUSTER.run(List.of("bash", ROOT.resolve("server-config/local-cluster.sh").toString(),
                "start", "4"), Map.of("SPRAWL_READY_TIMEOUT", "40"), 300), "node3, of the old CA, cannot join");
        Await.until("the three to refuse node3", RELOAD, () -> refused() > refusedBefore, () -> refused());
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of("node0 HEALTHY", "node1 HEALTHY", "node2 HEALTHY"), states(i));
        }
        assertEquals(List.of("node3 HEALTHY"), states(3), "node3 formed a cluster of its own");
    }

    /** POSTs a message count (as the admin, over HTTPS) to each node in turn, every 100 ms, and keeps what failed. */
    private static final class Traffic implements Runnable {
        final AtomicInteger sent = new AtomicInteger();
        private final Http.Login admin;
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile boolean running = true;
        private final Thread thread = new Thread(this, "rotation-traffic");

        Traffic(Http.Login admin) {
            this.admin = admin;
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }

        @Override
        public void run() {
            for (int n = 0; running && n < 100_000; n++) {
                int i = n % 3;
                Http.Reply r = Http.post(CLUSTER.https(i) + "/overlay/api/messages", "{\"count\": 1}", admin);
                sent.incrementAndGet();
                if (r.status() != 200) {
                    failures.add("node" + i + ": " + r);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Node i's table as "id STATE". */
    private static List<String> states(int i) {
        return CLUSTER.table(i).stream().map(r -> r.substring(0, r.lastIndexOf(' '))).toList();
    }

    private static List<JsonObject> memberEvents(int i, String to) {
        return CLUSTER.allEvents(i).stream()
                .filter(e -> "member".equals(e.getString("type")) && to.equals(e.getString("to"))).toList();
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (java.nio.file.Files.exists(p)) {
            try (var files = java.nio.file.Files.walk(p)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
        }
    }

    private static String node(int i) {
        return PKI.resolve("node" + i).toString();
    }

    /** Node i's {@code security.tls} from {@code /overlay/health}. */
    private static JsonObject tls(int i) {
        Http.Reply r = Http.get("http://127.0.0.1:" + CLUSTER.httpPort(i) + "/overlay/health");
        return r.object().getJsonObject("security").getJsonObject("tls");
    }

    /**
     * Handshakes the three refused. Not untrustedPeers: node3, trusting only the old CA, rejects the three's
     * certificates itself and aborts its own handshakes, so the three never see its certificate.
     */
    private static long refused() {
        long n = 0;
        for (int i = 0; i < 3; i++) {
            n += tls(i).getJsonNumber("handshakesRefused").longValue();
        }
        return n;
    }

    private static void awaitEvery(String what, Predicate<JsonObject> condition) {
        for (int i = 0; i < 3; i++) {
            int n = i;
            Await.until("node" + i + " " + what, RELOAD, () -> condition.test(tls(n)), () -> tls(n));
        }
    }

    private static void pki(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("server-config/cluster-pki.sh").toString()));
        cmd.addAll(List.of(args));
        assertEquals(0, CLUSTER.run(cmd, Map.of(), 60), String.join(" ", cmd));
    }
}
