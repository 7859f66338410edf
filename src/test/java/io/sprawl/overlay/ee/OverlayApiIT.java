package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The deployed WAR on a managed Open Liberty server (a one-node cluster "sprawl-it", node it0):
 * every endpoint, the health checks and the error bodies, from outside, as clients see them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OverlayApiIT {

    private static final String ROOT = "http://127.0.0.1:" + System.getProperty("it.http.port", "28080");
    private static final String API = ROOT + "/overlay/api";
    /** Writes need the admin, over HTTPS (the server's password is set by the pom for the tests). */
    private static final String ADMIN_API = "https://127.0.0.1:" + System.getProperty("it.https.port", "28443") + "/overlay/api";
    static final Http.Login ADMIN = new Http.Login("admin", System.getProperty("it.admin.password", "it-admin-password"));

    @Deployment(testable = false)
    static WebArchive war() {
        // The WAR the build made, exactly as operators deploy it.
        return ShrinkWrap.create(ZipImporter.class, "sprawl-overlay.war")
                .importFrom(new File(System.getProperty("it.war", "target/sprawl-overlay.war")))
                .as(WebArchive.class);
    }

    private static void assertError(Reply r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonObject body = r.object();
        assertEquals(code, body.getString("error"), r.toString());
        assertTrue(body.getString("message").contains(messagePart), r.toString());
    }

    @Test
    void membersListThisNodeWithTheContractFields() {
        Reply r = Http.get(API + "/members");
        assertEquals(200, r.status(), r.toString());
        JsonArray members = (JsonArray) r.json();
        assertEquals(1, members.size());
        JsonObject self = members.getJsonObject(0);
        assertEquals("it0", self.getString("id"));
        assertEquals("HEALTHY", self.getString("state"));
        assertEquals(1, self.getInt("incarnation"));
        assertEquals("127.0.0.1", self.getString("address"));
        assertEquals(27900, self.getInt("gossipPort"));
        assertEquals(28080, self.getInt("httpPort"));
        assertEquals("", self.getString("site"));
        assertEquals("", self.getString("rack"));
        assertEquals(JsonValue.ValueType.OBJECT, self.get("capabilities").getValueType());
        assertEquals("arquillian", self.getJsonObject("metadata").getString("role"));
    }

    @Test
    void oneMemberAndAnUnknownOne() {
        Reply r = Http.get(API + "/members/it0");
        assertEquals(200, r.status(), r.toString());
        assertEquals("it0", r.object().getString("id"));
        assertEquals("HEALTHY", r.object().getString("state"));
        // What the failure detector knows of a peer; of this node itself, nothing.
        for (String field : new String[] {"lastAckAt", "rttEwmaMillis", "rttP99Millis", "phi", "suspicionConfirmations",
                "pauseAllowanceMillis", "probeProtocol"}) {
            assertEquals(JsonValue.NULL, r.object().get(field), field);
        }
        assertError(Http.get(API + "/members/nobody"), 404, "unknown-member", "no member 'nobody'");
    }

    @Test
    void theNodeChangesItsMetadataAndRefusesBadOnes() {
        Reply r = Http.put(ADMIN_API + "/members/it0/metadata", "{\"role\":\"arquillian\",\"zone\":\"z9\"}", ADMIN);
        assertEquals(200, r.status(), r.toString());
        assertEquals("z9", Http.get(API + "/members/it0").object().getJsonObject("metadata").getString("zone"));
        assertError(Http.put(ADMIN_API + "/members/it0/metadata", "{\"zone\":7}", ADMIN), 400, "bad-metadata", "must be a string");
        assertError(Http.put(ADMIN_API + "/members/it0/metadata", "{\"bad key\":\"x\"}", ADMIN), 400, "bad-metadata",
                "'bad key' is not allowed");
        assertError(Http.put(ADMIN_API + "/members/it0/metadata", "{not json", ADMIN), 400, "bad-json", "");
        assertError(Http.put(ADMIN_API + "/members/it0/metadata", "{\"blob\":\"" + "x".repeat(1025) + "\"}", ADMIN),
                400, "bad-metadata", "'blob' is 1025 characters; at most 1024");
        assertError(Http.put(ADMIN_API + "/members/other/metadata", "{}", ADMIN), 404, "unknown-member", "other");
        Http.put(ADMIN_API + "/members/it0/metadata", "{\"role\":\"arquillian\"}", ADMIN);
    }

    @Test
    void eventsSinceASequenceNumber() {
        Reply all = Http.get(API + "/events");
        assertEquals(200, all.status(), all.toString());
        JsonArray events = (JsonArray) all.json();
        JsonObject joined = events.getJsonObject(0);
        assertEquals("it0", joined.getString("node"));
        assertEquals("HEALTHY", joined.getString("to"));
        assertEquals(JsonValue.NULL, joined.get("from"));
        assertEquals("joined", joined.getString("reason"));
        Set<String> keys = joined.keySet();
        assertEquals(Set.of("seq", "time", "type", "node", "from", "to", "reason", "incarnation", "term",
                "previousLeader"), keys);
        assertEquals("member", joined.getString("type"));
        long last = events.getJsonObject(events.size() - 1).getJsonNumber("seq").longValue();
        assertEquals(0, ((JsonArray) Http.get(API + "/events?since=" + last).json()).size());
        assertError(Http.get(API + "/events?since=abc"), 400, "bad-since", "since=abc is not allowed");
        assertError(Http.get(API + "/events?since=-1"), 400, "bad-since", "since=-1");
    }

    @Test
    void theEventStreamIsServerSentEvents() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(URI.create(API + "/events/stream"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try {
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body()));
            String first = lines.readLine();
            for (int i = 0; i < 5 && first != null && first.isEmpty(); i++) {
                first = lines.readLine(); // SSE allows blank lines before an event
            }
            assertEquals("event: ready", first);
            assertTrue(lines.readLine().matches("data: \\{\"lastSeq\":[0-9]+\\}"));
        } finally {
            r.body().close();
        }
    }

    @Test
    void messagesAreCountedAndBadCountsRefused() {
        long before = Http.get(API + "/messages").object().getJsonNumber("count").longValue();
        Reply r = Http.post(ADMIN_API + "/messages", "{\"count\": 3}", ADMIN);
        assertEquals(200, r.status(), r.toString());
        assertEquals(before + 3, r.object().getJsonNumber("count").longValue());
        assertEquals("it0", r.object().getString("node"));
        assertEquals(before + 3, r.object().getJsonObject("byNode").getJsonNumber("it0").longValue());
        assertError(Http.post(ADMIN_API + "/messages", "{\"count\": 0}", ADMIN), 400, "bad-count", "got count 0");
        assertError(Http.post(ADMIN_API + "/messages", "{\"count\": -5}", ADMIN), 400, "bad-count", "from 1 to");
        assertError(Http.post(ADMIN_API + "/messages", "{}", ADMIN), 400, "bad-count", "got count null");
        assertError(Http.post(ADMIN_API + "/messages", "x".repeat(70_000), ADMIN), 413, "too-large", "65536 bytes");
        assertEquals(before + 3, Http.get(API + "/messages").object().getJsonNumber("clusterTotal").longValue());
    }

    @Test
    void routesGoToTheHealthyMembers() {
        Reply r = Http.get(API + "/route/orders");
        assertEquals(200, r.status(), r.toString());
        assertEquals("orders", r.object().getString("key"));
        assertEquals(3, r.object().getInt("replicas"));
        JsonArray owners = r.object().getJsonArray("owners");
        assertEquals(1, owners.size());
        assertEquals("it0", owners.getJsonObject(0).getString("id"));
        assertEquals(28080, owners.getJsonObject(0).getInt("httpPort"));
        assertEquals(1, Http.get(API + "/route/orders?replicas=1").object().getInt("replicas"));
        assertError(Http.get(API + "/route/orders?replicas=0"), 400, "bad-replicas", "from 1 to 64");
        assertError(Http.get(API + "/route/orders?replicas=x"), 400, "bad-replicas", "replicas=x");
        assertEquals(200, Http.get(API + "/route/" + "k".repeat(1024)).status(), "a key of exactly the limit");
        Reply tooLong = Http.get(API + "/route/" + "k".repeat(5000));
        assertError(tooLong, 400, "key-too-long", "the key is 5000 bytes (UTF-8); at most 1024");
        assertTrue(tooLong.body().length() < 300, "the key is not echoed back: " + tooLong.body().length());
    }

    @Test
    void theOverlayHealthPaths() {
        Reply overall = Http.get(ROOT + "/overlay/health");
        assertEquals(200, overall.status(), overall.toString());
        assertEquals("UP", overall.object().getString("status"));
        assertEquals("it0", overall.object().getString("node"));
        assertEquals("UP", overall.object().getJsonObject("checks").getJsonObject("ready").getString("status"));

        Reply check = Http.get(ROOT + "/overlay/health/check");
        assertEquals(200, check.status());
        assertEquals("{\"status\":\"UP\"}", check.body());

        JsonObject membership = Http.get(ROOT + "/overlay/health/membership").object();
        assertEquals("it0", membership.getString("self"));
        assertTrue(membership.getJsonNumber("viewId").longValue() >= 0);
        assertTrue(membership.containsKey("leader"), "the leader once elected (see aLoneNodeLeads...), null before");
        assertTrue(membership.getBoolean("majority"));
        assertEquals(1, membership.getJsonArray("members").size());
        assertEquals(1, membership.getJsonObject("counts").getInt("HEALTHY"));
        assertEquals(0, membership.getJsonArray("failedNodes").size());
        JsonObject detector = membership.getJsonObject("detector");
        assertEquals(1, detector.getInt("incarnation"));
        assertEquals(0, detector.getInt("malformedDropped"));
        assertTrue(membership.getJsonObject("wire").getJsonNumber("bytesSent").longValue() >= 0);
    }

    @Test
    void microProfileHealthCarriesTheNodesChecks() {
        for (String[] probe : new String[][] {{"started", "sprawl-overlay-started"}, {"ready", "sprawl-overlay-ready"},
                {"live", "sprawl-overlay-live"}}) {
            Reply r = Http.get(ROOT + "/health/" + probe[0]);
            assertEquals(200, r.status(), r.toString());
            Set<String> names = r.object().getJsonArray("checks").stream()
                    .map(c -> c.asJsonObject().getString("name")).collect(Collectors.toSet());
            assertTrue(names.contains(probe[1]), r.toString());
        }
    }

    @Test
    void theProbeTimerFiresInTheServer() {
        // The EJB interval timer runs a probe round every 100 ms; liveness reports how long ago the last one was.
        io.sprawl.overlay.testkit.Await.until("a probe round", java.time.Duration.ofSeconds(10), () -> {
            JsonObject live = Http.get(ROOT + "/health/live").object().getJsonArray("checks").stream()
                    .map(JsonValue::asJsonObject).filter(c -> c.getString("name").equals("sprawl-overlay-live"))
                    .findFirst().orElseThrow();
            JsonObject data = live.getJsonObject("data");
            return data.containsKey("probeRoundAgoMillis") && data.getJsonNumber("probeRoundAgoMillis").longValue() < 1_000;
        });
    }

    @Test
    void aLoneNodeLeadsItsClusterAndCannotStepDown() {
        // The election timer (an EJB interval timer) elects the only member and renews its lease.
        io.sprawl.overlay.testkit.Await.until("it0 to lead", java.time.Duration.ofSeconds(10),
                () -> Http.get(API + "/leader").object().getBoolean("isLeader"));
        jakarta.json.JsonObject v = Http.get(API + "/leader").object();
        assertEquals("it0", v.getString("leader"));
        assertTrue(v.getInt("term") >= 1, v.toString());
        assertTrue(v.getJsonNumber("since").longValue() > 0);
        assertTrue(v.getBoolean("majority"));
        assertTrue(v.getString("reason").startsWith("elected it0"), v.toString());
        assertEquals("it0", Http.get(ROOT + "/overlay/health/membership").object().getString("leader"));
        assertTrue(Http.get(API + "/events").json().toString().contains("\"type\":\"leader\""),
                "the election is in the history");
        assertError(Http.post(ADMIN_API + "/leader/step-down", "", ADMIN), 409, "no-successor", "cannot step down");
        assertTrue(Http.get(API + "/leader").object().getBoolean("isLeader"), "still leading");
    }

    @Test
    void unknownPathsAndMethodsAnswerJson() {
        assertError(Http.get(API + "/nothing-here"), 404, "not-found", "");
        assertError(Http.post(ADMIN_API + "/members", "{}", ADMIN), 405, "method-not-allowed", "");
    }
}
