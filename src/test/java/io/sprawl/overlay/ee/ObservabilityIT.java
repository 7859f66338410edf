package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Reply;
import io.sprawl.overlay.testkit.Jmx;
import io.sprawl.overlay.testkit.Prometheus;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
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
 * What operators watch on the deployed WAR (node it0 on the Arquillian server): {@code /metrics}
 * against the REST API, the metrics endpoints, the MXBeans through a JMX client outside the server,
 * and liveness going DOWN while the probe timer is paused.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ObservabilityIT {

    private static final String ROOT = "http://127.0.0.1:" + System.getProperty("it.http.port", "28080");
    private static final String API = ROOT + "/overlay/api";
    /** Writes need the admin, over HTTPS (the server's password is set by the pom for the tests). */
    private static final String ADMIN_API = "https://127.0.0.1:" + System.getProperty("it.https.port", "28443") + "/overlay/api";
    static final Http.Login ADMIN = new Http.Login("admin", System.getProperty("it.admin.password", "it-admin-password"));
    private static final Path SERVER = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"), "usr", "servers",
            "sprawl-it");

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "sprawl-overlay.war")
                .importFrom(new File(System.getProperty("it.war", "target/sprawl-overlay.war")))
                .as(WebArchive.class);
    }

    private static Prometheus scrape() {
        Reply r = Http.get(ROOT + "/metrics");
        assertEquals(200, r.status(), "served without credentials: " + r);
        return Prometheus.parse(r.body());
    }

    /** Waits for a sampling step after now, so every figure below comes from one sample. */
    private static JsonObject awaitSample() {
        long after = System.currentTimeMillis();
        JsonObject[] seen = new JsonObject[1];
        Await.until("a metrics sample", Duration.ofSeconds(10), () -> {
            seen[0] = Http.get(ROOT + "/overlay/health/metrics").object();
            return seen[0].getJsonNumber("time").longValue() > after;
        }, () -> seen[0]);
        return seen[0];
    }

    @Test
    void metricsCarryTheSprawlNamesWithTheValuesOfTheRestApi() {
        assertEquals(200, Http.post(ADMIN_API + "/messages", "{\"count\": 7}", ADMIN).status());
        assertEquals(200, Http.post(ADMIN_API + "/metrics/custom/it-orders", "{\"type\": \"counter\", \"add\": 3}", ADMIN).status());
        awaitSample(); // the custom metric's gauge is registered at the next sample
        Await.until("it0 to lead", Duration.ofSeconds(10), () -> Http.get(API + "/leader").object().getBoolean("isLeader"));

        Prometheus p = scrape();
        for (String name : List.of("sprawl_members", "sprawl_leader_term", "sprawl_leader_is_leader",
                "sprawl_probe_rtt_milliseconds", "sprawl_probes_total", "sprawl_indirect_probes_total",
                "sprawl_suspicions_total", "sprawl_refutations_total", "sprawl_failures_total",
                "sprawl_detection_time_milliseconds", "sprawl_messages_total", "sprawl_message_rate_per_second",
                "sprawl_cpu_percent", "sprawl_process_cpu_percent", "sprawl_memory_used_bytes",
                "sprawl_memory_total_bytes", "sprawl_disk_used_bytes", "sprawl_disk_read_bytes_per_second",
                "sprawl_network_received_bytes_per_second", "sprawl_network_sent_bytes_per_second",
                "sprawl_jvm_heap_used_bytes", "sprawl_jvm_gc_time_milliseconds_per_second", "sprawl_load",
                "sprawl_load_forecast", "sprawl_custom", "sprawl_detector_pause_allowance_milliseconds")) {
            assertTrue(p.types().containsKey(name), name + " has a TYPE; types: " + p.types().keySet());
            assertTrue(p.helped().contains(name), name + " has HELP");
        }
        assertEquals("counter", p.types().get("sprawl_probes_total"));
        assertEquals("histogram", p.types().get("sprawl_probe_rtt_milliseconds"));

        JsonObject membership = Http.get(ROOT + "/overlay/health/membership").object();
        assertEquals(membership.getJsonObject("counts").getInt("HEALTHY"), p.app("sprawl_members", "state=\"HEALTHY\""));
        assertEquals(0.0, p.app("sprawl_members", "state=\"FAILED\""));
        JsonObject leader = Http.get(API + "/leader").object();
        assertEquals(leader.getInt("term"), p.app("sprawl_leader_term"));
        assertEquals(1.0, p.app("sprawl_leader_is_leader"));
        assertEquals(Http.get(API + "/messages").object().getInt("count"), p.app("sprawl_messages_total"));
        assertEquals(3.0, p.app("sprawl_custom", "name=\"it-orders\""));
        JsonObject figures = Http.get(ROOT + "/overlay/health/metrics").object().getJsonObject("figures");
        assertEquals(figures.getJsonNumber("memory.total.bytes").doubleValue(), p.app("sprawl_memory_total_bytes"));
        assertEquals(figures.getJsonNumber("jvm.heap.max.bytes").doubleValue(), p.app("sprawl_jvm_heap_max_bytes"));
        double cpu = p.app("sprawl_cpu_percent");
        assertTrue(cpu >= 0 && cpu <= 100, "cpu " + cpu);
        JsonObject detector = membership.getJsonObject("detector");
        // A lone node probes nobody: the counters agree at zero.
        assertEquals(detector.getInt("pingsSent"), p.app("sprawl_probes_total"));
        assertEquals(detector.getInt("failures"), p.app("sprawl_failures_total"));
    }

    @Test
    void everyNodesSnapshotTheHistoryAndTheCustomMetricsOverRest() {
        JsonObject sample = awaitSample();
        double cpu = sample.getJsonObject("figures").getJsonNumber("cpu.percent").doubleValue();
        assertTrue(cpu >= 0 && cpu <= 100, sample.toString());
        assertTrue(sample.getJsonObject("figures").containsKey("load.forecast"), sample.toString());

        Await.until("it0's snapshot shared", Duration.ofSeconds(10),
                () -> Http.get(API + "/metrics").object().getJsonObject("nodes").containsKey("it0"));
        JsonObject all = Http.get(API + "/metrics").object();
        JsonObject it0 = all.getJsonObject("nodes").getJsonObject("it0");
        assertEquals("HEALTHY", it0.getString("state"));
        assertTrue(it0.getJsonNumber("ageMillis").longValue() < 10_000, it0.toString());
        assertTrue(it0.getJsonObject("figures").containsKey("memory.used.bytes"));

        JsonObject h = Http.get(API + "/metrics/history?metric=cpu.percent").object();
        assertEquals("it0", h.getString("node"));
        assertEquals(1_000, h.getInt("stepMillis"));
        assertFalse(h.getJsonArray("points").isEmpty(), h.toString());
        JsonObject point = h.getJsonArray("points").getJsonObject(0);
        assertTrue(point.getJsonNumber("min").doubleValue() <= point.getJsonNumber("max").doubleValue());

        assertError(Http.get(API + "/metrics/history"), 400, "bad-metric", "cpu.percent");
        assertError(Http.get(API + "/metrics/history?metric=nope"), 404, "unknown-metric", "cpu.percent");
        assertError(Http.get(API + "/metrics/history?metric=load&from=x"), 400, "bad-from", "epoch milliseconds");
        assertError(Http.get(API + "/metrics/history?metric=load&from=10&to=5"), 400, "bad-range", "after");
        assertError(Http.get(API + "/metrics/history?metric=load&node=ghost"), 404, "unknown-member", "ghost");

        assertEquals(200, Http.post(ADMIN_API + "/metrics/custom/it-depth", "{\"type\": \"gauge\", \"value\": 4.5}", ADMIN).status());
        assertEquals(4.5, Http.get(API + "/metrics/custom").object().getJsonObject("it-depth")
                .getJsonNumber("value").doubleValue());
        assertError(Http.post(ADMIN_API + "/metrics/custom/it-depth", "{\"type\": \"counter\", \"add\": 1}", ADMIN), 409,
                "wrong-type", "gauge");
        assertError(Http.post(ADMIN_API + "/metrics/custom/Bad%20Name", "{\"type\": \"counter\", \"add\": 1}", ADMIN), 400,
                "bad-name", "a-z");
        assertError(Http.post(ADMIN_API + "/metrics/custom/it-x", "{\"type\": \"counter\", \"add\": -1}", ADMIN), 400,
                "bad-value", "only grows");
        assertError(Http.post(ADMIN_API + "/metrics/custom/it-x", "{\"type\": \"meter\"}", ADMIN), 400, "bad-type", "meter");
        assertError(Http.post(ADMIN_API + "/metrics/custom/never/reset", "", ADMIN), 404, "unknown-metric", "never");
        assertEquals(0.0, Http.post(ADMIN_API + "/metrics/custom/it-depth/reset", "", ADMIN).object().getJsonNumber("value")
                .doubleValue());
    }

    @Test
    void aJmxClientOutsideTheServerReadsTheMXBeansAndCallsTheirOperations() throws Exception {
        assertEquals(200, Http.post(ADMIN_API + "/metrics/custom/it-jmx", "{\"type\": \"counter\", \"add\": 2}", ADMIN).status());
        awaitSample();
        try (JMXConnector c = Jmx.connect(SERVER)) {
            MBeanServerConnection s = c.getMBeanServerConnection();
            ObjectName membership = new ObjectName("io.sprawl.overlay:type=Membership");
            assertEquals("it0", s.getAttribute(membership, "Self"));
            assertEquals(1, s.getAttribute(membership, "HealthyCount"));
            assertEquals(Boolean.TRUE, s.getAttribute(membership, "Joined"));
            TabularData members = (TabularData) s.getAttribute(membership, "Members");
            assertEquals("HEALTHY", members.get(new Object[] {"it0"}).get("value"));

            ObjectName detector = new ObjectName("io.sprawl.overlay:type=FailureDetector");
            assertEquals(1L, s.getAttribute(detector, "Incarnation"));
            assertNotNull(s.getAttribute(detector, "RttEwmaMillis"));
            Object probe = s.invoke(detector, "probeNow", new Object[] {"ghost"}, new String[] {String.class.getName()});
            assertTrue(probe.toString().startsWith("not probed"), probe.toString());

            ObjectName leader = new ObjectName("io.sprawl.overlay:type=Leader");
            Await.until("it0 to lead", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(attribute(s, leader, "Leading")));
            assertEquals("it0", s.getAttribute(leader, "Leader"));
            assertTrue((Long) s.getAttribute(leader, "Term") >= 1);
            Object stepDown = s.invoke(leader, "stepDown", new Object[0], new String[0]);
            assertTrue(stepDown.toString().startsWith("not stepped down"), stepDown.toString());

            ObjectName metrics = new ObjectName("io.sprawl.overlay:type=Metrics");
            double cpu = ((TabularData) s.getAttribute(metrics, "Current")).values().stream()
                    .map(CompositeData.class::cast).filter(d -> d.get("key").equals("cpu.percent"))
                    .mapToDouble(d -> (Double) d.get("value")).findFirst().orElseThrow();
            assertTrue(cpu >= 0 && cpu <= 100, "cpu " + cpu);
            assertEquals(2.0, ((TabularData) s.getAttribute(metrics, "CustomMetrics")).get(new Object[] {"it-jmx"})
                    .get("value"));
            assertEquals(Boolean.TRUE, s.invoke(metrics, "resetCustomMetric", new Object[] {"it-jmx"},
                    new String[] {String.class.getName()}));
            assertEquals(0.0, Http.get(API + "/metrics/custom").object().getJsonObject("it-jmx").getJsonNumber("value")
                    .doubleValue(), "the reset is what the REST API shows");

            // Infinispan's and JGroups' own statistics beside ours.
            assertFalse(s.queryNames(new ObjectName("org.infinispan:type=Cache,*"), null).isEmpty());
            assertFalse(s.queryNames(new ObjectName("org.infinispan:type=channel,*"), null).isEmpty());
        }
    }

    @Test
    void livenessGoesDownWhileTheProbeTimerIsPausedAndUpAfter() throws Exception {
        assertEquals(200, Http.get(ROOT + "/health/live").status());
        // Paused far longer than liveness needs to notice (10 s), then resumed by hand once it did: no window to hit.
        assertTrue(pauseProbeTimer(600_000).contains("paused for 600000 ms"));
        Reply[] seen = new Reply[1];
        Await.until("liveness DOWN for the probe timer", Duration.ofSeconds(40), () -> {
            seen[0] = Http.get(ROOT + "/health/live");
            return seen[0].status() == 503;
        }, () -> seen[0]);
        JsonObject check = liveCheck(seen[0]);
        assertEquals("DOWN", check.getString("status"));
        assertTrue(check.getJsonObject("data").getString("cause").contains("probe timer"), check.toString());
        assertEquals(503, Http.get(ROOT + "/overlay/health/check").status(), "the seed-compatible check agrees");

        pauseProbeTimer(1); // a new pause of 1 ms replaces the long one: the rounds resume at once
        Await.until("liveness UP once the timer resumed", Duration.ofSeconds(40), () -> {
            seen[0] = Http.get(ROOT + "/health/live");
            return seen[0].status() == 200;
        }, () -> seen[0]);
        assertEquals(200, Http.get(ROOT + "/overlay/health/check").status());
    }

    private static String pauseProbeTimer(long millis) throws Exception {
        try (JMXConnector c = Jmx.connect(SERVER)) {
            return c.getMBeanServerConnection().invoke(new ObjectName("io.sprawl.overlay:type=FailureDetector"),
                    "pauseProbeTimer", new Object[] {millis}, new String[] {long.class.getName()}).toString();
        }
    }

    private static JsonObject liveCheck(Reply r) {
        return r.object().getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> c.getString("name").equals("sprawl-overlay-live")).findFirst().orElseThrow();
    }

    private static Object attribute(MBeanServerConnection s, ObjectName n, String a) {
        try {
            return s.getAttribute(n, a);
        } catch (Exception e) {
            return e;
        }
    }

    private static void assertError(Reply r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        JsonObject body = r.object();
        assertEquals(code, body.getString("error"), r.toString());
        assertTrue(body.getString("message").contains(messagePart), r.toString());
    }
}
