package io.sprawl.overlay.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The live event stream is bounded: a node serves {@code EventStream.MAX_STREAMS} at once and refuses
 * the next with a JSON 503. A class of its own: its deployment (and the streams it holds) is its own.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EventStreamLimitIT {

    private static final String STREAM = "http://127.0.0.1:" + System.getProperty("it.http.port", "28080")
            + "/overlay/api/events/stream";

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "sprawl-overlay.war")
                .importFrom(new File(System.getProperty("it.war", "target/sprawl-overlay.war")))
                .as(WebArchive.class);
    }

    @Test
    void theStreamAfterTheLastPlaceIsRefusedWithAReason() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < EventsResource.EventStream.MAX_STREAMS; i++) {
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(STREAM))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
                open.add(r.body());
                assertEquals(200, r.statusCode(), "stream " + i);
            }
            HttpResponse<String> refused = client.send(HttpRequest.newBuilder(URI.create(STREAM))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            JsonObject body = Json.createReader(new StringReader(refused.body())).readObject();
            assertEquals("too-many-streams", body.getString("error"));
            assertTrue(body.getString("message").contains("events?since=seq"), body.toString());
        } finally {
            for (InputStream s : open) {
                s.close();
            }
        }
    }
}
