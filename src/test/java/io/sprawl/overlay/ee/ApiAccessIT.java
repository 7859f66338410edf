package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.testkit.Http;
import io.sprawl.overlay.testkit.Http.Login;
import io.sprawl.overlay.testkit.Http.Reply;
import io.sprawl.overlay.testkit.Jmx;
import jakarta.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import javax.management.MBeanServerConnection;
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
 * Who may call the deployed API (ApiAccess, Liberty's registry in server.xml): every write needs the
 * admin over HTTPS, and a refused write changes nothing; reads and probes are open by default; JMX
 * operations through the REST connector need the admin too. The reader it-reader comes from
 * src/test/liberty/it-users.xml.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ApiAccessIT {

    private static final String HTTP = "http://127.0.0.1:" + System.getProperty("it.http.port", "28080");
    private static final int HTTPS_PORT = Integer.getInteger("it.https.port", 28443);
    private static final String HTTPS = "https://127.0.0.1:" + HTTPS_PORT;
    private static final Login ADMIN = OverlayApiIT.ADMIN;
    private static final Login READER = new Login("it-reader", "it-reader-password");
    private static final Login WRONG = new Login("admin", "not-the-password");

    /** One write endpoint: how to call it at a base URL as a user. */
    private record Write(String name, Function<String, HttpRequest.Builder> request) {
        Reply send(String base, Login login) {
            HttpRequest.Builder b = request.apply(base);
            return Http.send(login == null ? b : b.header("Authorization", login.header()));
        }
    }

    private static Write write(String name, String method, String path, String body) {
        return new Write(name, base -> HttpRequest.newBuilder(URI.create(base + "/overlay/api" + path))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)));
    }

    private static final List<Write> WRITES = List.of(
            write("metadata", "PUT", "/members/it0/metadata", "{\"role\":\"arquillian\",\"access\":\"changed\"}"),
            write("step-down", "POST", "/leader/step-down", ""),
            write("messages", "POST", "/messages", "{\"count\": 1000}"),
            write("custom metric", "POST", "/metrics/custom/it-access", "{\"type\": \"counter\", \"add\": 5}"),
            write("custom metric reset", "POST", "/metrics/custom/it-access/reset", ""));

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "sprawl-overlay.war")
                .importFrom(new File(System.getProperty("it.war", "target/sprawl-overlay.war")))
                .as(WebArchive.class);
    }

    private static void assertRefused(Reply r, int status, String code, String what) {
        assertEquals(status, r.status(), what + ": " + r);
        assertTrue(r.contentType().startsWith("application/json"), what + ": " + r.contentType());
        assertEquals(code, r.object().getString("error"), what + ": " + r);
        assertFalse(r.body().contains("Exception"), what + " echoes an exception: " + r);
    }

    @Test
    void everyWriteNeedsTheAdminOverHttpsAndARefusedOneChangesNothing() {
        long messagesBefore = Http.get(HTTP + "/overlay/api/messages").object().getJsonNumber("count").longValue();
        for (Write w : WRITES) {
            Reply none = w.send(HTTPS, null);
            assertRefused(none, 401, "unauthenticated", w.name() + " without credentials");
            Reply wrong = w.send(HTTPS, WRONG);
            assertRefused(wrong, 401, "bad-credentials", w.name() + " with a wrong password");
            assertRefused(w.send(HTTPS, READER), 403, "forbidden", w.name() + " as a reader");
            assertRefused(w.send(HTTP, ADMIN), 403, "https-required", w.name() + " as the admin over plain HTTP");
            assertRefused(w.send(HTTP, null), 403, "https-required", w.name() + " over plain HTTP");
        }

        // Nothing the refused calls asked for happened.
        JsonObject self = Http.get(HTTP + "/overlay/api/members/it0").object();
        assertFalse(self.getJsonObject("metadata").containsKey("access"), self.toString());
        assertEquals(messagesBefore, Http.get(HTTP + "/overlay/api/messages").object().getJsonNumber("count").longValue());
        assertFalse(Http.get(HTTP + "/overlay/api/metrics/custom").body().contains("it-access"));

        // The admin's calls are served: each endpoint's own answer, never 401 or 403.
        assertEquals(200, WRITES.get(0).send(HTTPS, ADMIN).status());
        assertEquals("changed", Http.get(HTTP + "/overlay/api/members/it0").object().getJsonObject("metadata")
                .getString("access"));
        assertEquals(409, WRITES.get(1).send(HTTPS, ADMIN).status(), "a lone leader has no successor");
        assertEquals(200, WRITES.get(2).send(HTTPS, ADMIN).status());
        assertEquals(200, WRITES.get(3).send(HTTPS, ADMIN).status());
        assertEquals(200, WRITES.get(4).send(HTTPS, ADMIN).status());
        Http.put(HTTPS + "/overlay/api/members/it0/metadata", "{\"role\":\"arquillian\"}", ADMIN);
    }

    @Test
    void aRefusalChallengesForBasicCredentials() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(HTTPS + "/overlay/api/messages"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"count\":1}"));
        try {
            var r = java.net.http.HttpClient.newBuilder().sslContext(Http.trustAll()).build()
                    .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode());
            assertEquals("Basic realm=\"sprawl-overlay\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertTrue(r.headers().allValues("Set-Cookie").isEmpty(), r.headers().toString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        var ok = Http.post(HTTPS + "/overlay/api/messages", "{\"count\":1}", ADMIN);
        assertEquals(200, ok.status(), ok.toString());
    }

    @Test
    void readsAndProbesAreOpenByDefault() {
        for (String path : List.of("/overlay/api/members", "/overlay/api/members/it0", "/overlay/api/leader",
                "/overlay/api/events", "/overlay/api/messages", "/overlay/api/metrics", "/overlay/api/metrics/custom",
                "/overlay/api/route/some-key", "/overlay/health", "/overlay/health/check", "/overlay/health/membership",
                "/overlay/health/metrics", "/health/ready", "/health/live", "/health/started", "/metrics")) {
            assertEquals(200, Http.get(HTTP + path).status(), path);
        }
        // Its answer depends on whether the first sample is in yet (404 unknown-metric before): never 401/403.
        Reply history = Http.get(HTTP + "/overlay/api/metrics/history?metric=cpu.percent");
        assertTrue(history.status() == 200 || history.status() == 404, history.toString());
        JsonObject api = Http.get(HTTP + "/overlay/health").object().getJsonObject("security").getJsonObject("api");
        assertEquals("admin", api.getString("admin"));
        assertEquals("open", api.getString("reads"));
        assertFalse(Http.get(HTTP + "/overlay/health").body().contains(ADMIN.password()));
    }

    @Test
    void jmxOperationsThroughTheRestConnectorNeedTheAdmin() throws Exception {
        Path wlp = Path.of(System.getProperty("it.wlp", "target/liberty/wlp"));
        ObjectName metrics = new ObjectName("io.sprawl.overlay:type=Metrics");
        try (JMXConnector admin = Jmx.remote(wlp, HTTPS_PORT, ADMIN.user(), ADMIN.password())) {
            MBeanServerConnection c = admin.getMBeanServerConnection();
            assertEquals(Boolean.FALSE, c.invoke(metrics, "resetCustomMetric", new Object[] {"it-no-such-metric"},
                    new String[] {String.class.getName()}));
        }
        try (JMXConnector reader = Jmx.remote(wlp, HTTPS_PORT, READER.user(), READER.password())) {
            MBeanServerConnection c = reader.getMBeanServerConnection();
            assertTrue(c.getAttribute(metrics, "Load") instanceof Double, "a reader reads attributes");
            Exception refused = assertThrows(Exception.class, () -> c.invoke(metrics, "resetCustomMetric",
                    new Object[] {"it-no-such-metric"}, new String[] {String.class.getName()}));
            assertTrue(String.valueOf(refused.getMessage()).contains("code 403"), "refused as forbidden: " + refused);
        }
        Exception wrong = assertThrows(Exception.class,
                () -> Jmx.remote(wlp, HTTPS_PORT, WRONG.user(), WRONG.password()).close());
        assertTrue(String.valueOf(wrong.getMessage()).contains("code 401"), "refused as unauthenticated: " + wrong);
    }
}
