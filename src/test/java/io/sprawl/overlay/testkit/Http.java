package io.sprawl.overlay.testkit;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A tiny HTTP client for the tests: status, body, and the body as JSON; with a {@link Login} for the
 * admin API over HTTPS. The test servers' HTTPS certificates are Liberty's self-signed ones, so this
 * client trusts any certificate (and skips the host name check): a test tool, never for production.
 */
public final class Http {

    static {
        // Read once, when the JDK's HTTP client is first used; no other test client is made before this one.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .sslContext(trustAll()).build();

    /** A user of the API and its password, sent as HTTP Basic authentication. */
    public record Login(String user, String password) {
        public String header() {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Login[" + user + "]";
        }
    }

    public record Reply(int status, String body, String contentType) {
        public JsonStructure json() {
            return Json.createReader(new StringReader(body)).read();
        }

        public JsonObject object() {
            return (JsonObject) json();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private Http() {
    }

    public static Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public static Reply post(String url, String json) {
        return post(url, json, null);
    }

    public static Reply put(String url, String json) {
        return put(url, json, null);
    }

    public static Reply get(String url, Login login) {
        return send(as(HttpRequest.newBuilder(URI.create(url)).GET(), login));
    }

    public static Reply post(String url, String json, Login login) {
        return send(as(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), login));
    }

    public static Reply put(String url, String json, Login login) {
        return send(as(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)), login));
    }

    private static HttpRequest.Builder as(HttpRequest.Builder request, Login login) {
        return login == null ? request : request.header("Authorization", login.header());
    }

    /** An SSL context that trusts any certificate: for the test servers' self-signed ones only. */
    public static SSLContext trustAll() {
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {any}, null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (java.io.IOException e) {
            return new Reply(-1, e.toString(), "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
