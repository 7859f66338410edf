package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.config.SecurityConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every way the cluster's security settings and files can be wrong, each as the one line the node stops with. */
class TlsMaterialTest {

    private static final TestPki PKI = new TestPki("test-pki-material");

    private static SecurityConfig settings(String... pairs) {
        Map<String, String> m = new HashMap<>();
        m.put("sprawl.node.id", "n");
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return OverlayConfig.from(m).security();
    }

    private static String refusal(Runnable r) {
        SettingException e = assertThrows(SettingException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static Path copy(Path from, String name) throws Exception {
        Path to = from.resolveSibling(name);
        Files.createDirectories(to);
        for (String f : new String[] {"tls.crt", "tls.key", "ca.crt"}) {
            Files.copy(from.resolve(f), to.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    private static String load(Path dir) {
        return refusal(() -> TlsMaterial.load(TlsMaterial.source(settings("sprawl.tls.dir", dir.toString())),
                Instant.now()));
    }

    @Test
    void securedByDefaultAndPlaintextOnlyOnPurpose() {
        assertTrue(refusal(() -> settings()).startsWith("sprawl.tls.dir= is not allowed: sprawl.cluster.security is"
                + " tls, so the node needs its certificate"));
        assertEquals("sprawl.cluster.security=maybe is not allowed: expected one of tls, plaintext",
                refusal(() -> settings("sprawl.cluster.security", "maybe")));
        assertFalse(settings("sprawl.cluster.security", "plaintext").tls());
        assertTrue(refusal(() -> settings("sprawl.tls.dir", "/x", "sprawl.tls.ca-pem", "x")).contains("not both"));
        assertTrue(refusal(() -> settings("sprawl.tls.cert-pem", "x", "sprawl.tls.key-pem", "y"))
                .startsWith("sprawl.tls.ca-pem= is not allowed: the PEM texts come as three"));
    }

    @Test
    void aGoodDirectoryLoads() {
        TlsMaterial m = TlsMaterial.load(TlsMaterial.source(settings("sprawl.tls.dir", PKI.node("good").toString())),
                Instant.now());
        assertEquals("CN=good", m.certificate().getSubjectX500Principal().getName());
        assertEquals(1, m.cas.size());
    }

    @Test
    void missingOrUnreadableFilesAreNamed() throws Exception {
        String missing = load(Path.of("/nonexistent/tls"));
        assertTrue(missing.startsWith("sprawl.tls.dir=/nonexistent/tls is not allowed: /nonexistent/tls/tls.crt"
                + " cannot be read"), missing);
        Path noKey = copy(PKI.node("good"), "no-key");
        Files.delete(noKey.resolve("tls.key"));
        assertTrue(load(noKey).contains("tls.key cannot be read"));
    }

    @Test
    void malformedFilesAreNamed() throws Exception {
        Path d = copy(PKI.node("good"), "malformed");
        Files.writeString(d.resolve("tls.crt"), "hello");
        assertTrue(load(d).contains("tls.crt holds no PEM certificate"), load(d));
        d = copy(PKI.node("good"), "malformed");
        Files.writeString(d.resolve("tls.key"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        assertTrue(load(d).contains("tls.key is a EC key; expected an unencrypted PKCS#8 key"), load(d));
        d = copy(PKI.node("good"), "malformed");
        Files.writeString(d.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(load(d).contains("tls.key is not an EC, RSA or Ed25519 PKCS#8 private key"), load(d));
        d = copy(PKI.node("good"), "malformed");
        Files.writeString(d.resolve("ca.crt"), "");
        assertTrue(load(d).contains("ca.crt holds no PEM certificate"), load(d));
    }

    @Test
    void aKeyOfAnotherCertificateAnExpiredOneAndAForeignCaAreRefused() throws Exception {
        Path d = copy(PKI.node("good"), "mismatch");
        Files.copy(PKI.node("other").resolve("tls.key"), d.resolve("tls.key"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(load(d).contains("tls.key is not the private key of the certificate in tls.crt (CN=good)"), load(d));
        assertTrue(load(PKI.expired("old", "expired")).contains("the certificate in tls.crt (CN=old) expired at"));
        d = copy(PKI.node("good"), "foreign");
        Files.copy(new TestPki("test-pki-material-foreign").caDir().resolve("ca.crt"), d.resolve("ca.crt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(load(d).contains("the certificate in tls.crt (CN=good) is not signed by a CA in ca.crt"), load(d));
    }

    @Test
    void theKeyTextNeverAppearsInAnError() throws Exception {
        Path good = PKI.node("good");
        String cert = Files.readString(good.resolve("tls.crt"));
        String ca = Files.readString(good.resolve("ca.crt"));
        String otherKey = Files.readString(PKI.node("other").resolve("tls.key"));
        String line = refusal(() -> TlsMaterial.load(TlsMaterial.source(settings("sprawl.tls.cert-pem", cert,
                "sprawl.tls.key-pem", otherKey, "sprawl.tls.ca-pem", ca)), Instant.now()));
        assertTrue(line.startsWith("sprawl.tls.cert-pem=sprawl.tls.*-pem is not allowed: tls.key is not the private"
                + " key"), line);
        String body = otherKey.split("\n")[1];
        assertFalse(line.contains(body), line);
        assertFalse(settings("sprawl.tls.cert-pem", cert, "sprawl.tls.key-pem", otherKey, "sprawl.tls.ca-pem", ca)
                .toString().contains(body));
    }
}
