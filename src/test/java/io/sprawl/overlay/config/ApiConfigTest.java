package io.sprawl.overlay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The API's settings: each bad value stops the node with its one line, and no line shows a password. */
class ApiConfigTest {

    private static final String PASSWORD = "correct-horse-battery";

    @TempDir
    static Path dir;

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("sprawl.admin.password", PASSWORD);
        return m;
    }

    private static ApiConfig read(Map<String, String> m) {
        return ApiConfig.from(key -> Optional.ofNullable(m.get(key)), Optional.of(dir.resolve("generated/key.p12")));
    }

    private static String refusal(Map<String, String> m) {
        String line = assertThrows(SettingException.class, () -> read(m)).getMessage();
        assertFalse(line.contains(PASSWORD) || line.contains("short-pass") || line.contains("wrong-store-pass"), line);
        assertFalse(line.contains("\n"), line);
        return line;
    }

    @Test
    void defaultsLeaveReadsOpenAndTheGeneratedKeystoreToLiberty() {
        ApiConfig c = read(valid());
        assertEquals(new ApiConfig("admin", false, ""), c);
        Map<String, String> m = valid();
        m.put("sprawl.https.keystore", dir.resolve("generated/../generated/key.p12").toString()); // not there yet
        assertEquals(dir.resolve("generated/../generated/key.p12").toString(), read(m).httpsKeystore());
        m.put("sprawl.admin.password", "{hash}ARAAAAAUU0hBLTI1NgAgAAAAsomeencodedbytes");
        m.put("sprawl.http.require-reader", "TRUE");
        m.put("sprawl.admin.user", "ops.admin");
        assertTrue(read(m).requireReader());
        assertEquals("ops.admin", read(m).adminUser());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sprawl.admin.password|''|sprawl.admin.password= is not allowed: required: the admin's password (environment SPRAWL_ADMIN_PASSWORD or a file variables/sprawl.admin.password in the server's directory); without it nobody could change the cluster",
        "sprawl.admin.password|short-pass|sprawl.admin.password=(secret, 10 characters) is not allowed: expected at least 12 characters, or a {hash} value from Liberty's securityUtility",
        "sprawl.admin.password|{xor}LDo8LTor|sprawl.admin.password=(secret, 13 characters) is not allowed: {xor} can be reversed by anyone: give the password, or securityUtility encode --encoding=hash",
        "sprawl.admin.password|{aes}ARAFbm9kZQ==|sprawl.admin.password=(secret, 17 characters) is not allowed: {aes} can be reversed by anyone: give the password, or securityUtility encode --encoding=hash",
        "sprawl.admin.user|ad min|sprawl.admin.user=ad min is not allowed: expected a user name: 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit",
        "sprawl.http.require-reader|yes|sprawl.http.require-reader=yes is not allowed: expected true or false",
        "sprawl.https.keystore|/nonexistent/key.p12|sprawl.https.keystore=/nonexistent/key.p12 is not allowed: expected a readable PKCS#12 keystore; this file is missing or unreadable",
    })
    void eachBadValueGivesItsOneLine(String key, String value, String line) {
        Map<String, String> m = valid();
        m.put(key, value);
        assertEquals(line, refusal(m));
    }

    @Test
    void aKeystoreMustOpenWithItsPasswordAndHoldAKey() throws Exception {
        Path good = dir.resolve("https.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", good.toString(), "-storetype", "PKCS12", "-storepass", "store-pass-1",
                "-alias", "https", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2")
                .redirectErrorStream(true).start();
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0,
                new String(keytool.getInputStream().readAllBytes()));
        Path empty = dir.resolve("empty.p12");
        KeyStore none = KeyStore.getInstance("PKCS12");
        none.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            none.store(out, "store-pass-1".toCharArray());
        }
        Map<String, String> m = valid();
        m.put("sprawl.https.keystore", good.toString());
        assertEquals("sprawl.https.keystore-password= is not allowed: required with sprawl.https.keystore", refusal(m));
        m.put("sprawl.https.keystore-password", "wrong-store-pass");
        assertEquals("sprawl.https.keystore=" + good + " is not allowed: expected a PKCS#12 keystore that opens with"
                + " sprawl.https.keystore-password; it did not (IOException)", refusal(m));
        m.put("sprawl.https.keystore-password", "store-pass-1");
        assertEquals(good.toString(), read(m).httpsKeystore());
        m.put("sprawl.https.keystore", empty.toString());
        assertEquals("sprawl.https.keystore=" + empty + " is not allowed: the keystore holds no private key: HTTPS"
                + " needs a key and its certificate", refusal(m));
    }
}
