package io.sprawl.overlay.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who may use the HTTP API and JMX ({@code sprawl.admin.*}, {@code sprawl.http.*}, {@code sprawl.https.*}).
 * Liberty's user registry and keystore (server.xml) read the same settings and do the authentication;
 * this record checks them when the node starts, so a missing password or a keystore that does not open
 * stops the node with one line instead of leaving an API nobody can administer. The passwords are
 * checked and dropped: the record keeps no secret.
 */
public record ApiConfig(String adminUser, boolean requireReader, String httpsKeystore) {

    /**
     * Liberty's one-way encoding. {xor} is only obfuscation and {aes} is reversible with Liberty's default
     * key by anyone who has a Liberty, so both are refused.
     */
    private static final String HASHED = "{hash}";

    static final int MIN_PASSWORD_LENGTH = 12;

    /**
     * Reads and checks the settings. {@code generatedKeystore} is where Liberty makes its self-signed
     * keystore (server.xml's default for sprawl.https.keystore, which MicroProfile Config also sees): that
     * one is Liberty's to make and check, possibly at this very moment, so only another file is opened here.
     */
    public static ApiConfig from(Function<String, Optional<String>> source, Optional<Path> generatedKeystore) {
        ApiConfig c = new ApiConfig(
                Settings.ADMIN_USER.read(source),
                Settings.HTTP_REQUIRE_READER.read(source),
                Settings.HTTPS_KEYSTORE.read(source));
        checkPassword(Settings.ADMIN_PASSWORD.read(source));
        boolean generated = generatedKeystore.map(g -> g.normalize().equals(Path.of(c.httpsKeystore).normalize()))
                .orElse(false);
        if (!c.httpsKeystore.isEmpty() && !generated) {
            checkKeystore(c.httpsKeystore, Settings.HTTPS_KEYSTORE_PASSWORD.read(source));
        }
        return c;
    }

    private static void checkPassword(String password) {
        Setting<String> s = Settings.ADMIN_PASSWORD;
        if (password.isEmpty()) {
            throw new SettingException(s.key(), "", "required: the admin's password (environment SPRAWL_ADMIN_PASSWORD"
                    + " or a file variables/sprawl.admin.password in the server's directory); without it nobody could"
                    + " change the cluster");
        }
        if (password.startsWith("{xor}") || password.startsWith("{aes}")) {
            throw new SettingException(s.key(), s.shown(password), password.substring(0, 5) + " can be reversed by"
                    + " anyone: give the password, or securityUtility encode --encoding=hash");
        }
        if (password.startsWith(HASHED)) {
            return;
        }
        if (password.length() < MIN_PASSWORD_LENGTH) {
            throw new SettingException(s.key(), s.shown(password), "expected at least " + MIN_PASSWORD_LENGTH
                    + " characters, or a {hash} value from Liberty's securityUtility");
        }
    }

    private static void checkKeystore(String file, String password) {
        Setting<String> s = Settings.HTTPS_KEYSTORE;
        if (!Files.isReadable(Path.of(file))) {
            throw new SettingException(s.key(), file, "expected a readable PKCS#12 keystore; this file is missing or unreadable");
        }
        if (password.isEmpty()) {
            throw new SettingException(Settings.HTTPS_KEYSTORE_PASSWORD.key(), "", "required with sprawl.https.keystore");
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            boolean hasKey = false;
            for (String alias : java.util.Collections.list(ks.aliases())) {
                hasKey |= ks.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new SettingException(s.key(), file, "the keystore holds no private key: HTTPS needs a key and its certificate");
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new SettingException(s.key(), file, "expected a PKCS#12 keystore that opens with"
                    + " sprawl.https.keystore-password; it did not (" + e.getClass().getSimpleName() + ")");
        }
    }
}
