package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.SecurityConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.config.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One node's TLS credentials, read and checked: its certificate chain, its private key, and the CAs it
 * trusts, from PEM (the files of a Kubernetes TLS Secret, or the same texts from the environment).
 * Everything an operator can get wrong is found here, at start or at a reload, and named in one line:
 * a file missing or unreadable, no PEM in it, a key that is not the certificate's, a certificate
 * expired, not yet valid, or not signed by a trusted CA. The key never appears in a message.
 *
 * <p>Immutable; {@link ClusterTls} swaps whole instances.
 */
final class TlsMaterial {

    static final String CERT_FILE = "tls.crt";
    static final String KEY_FILE = "tls.key";
    static final String CA_FILE = "ca.crt";

    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");
    /** The in-memory key store's password: it never leaves this process, but the API requires one. */
    private static final char[] STORE_PASSWORD = HexFormat.of().formatHex(new SecureRandom().generateSeed(16))
            .toCharArray();

    /** The three PEM texts, and where they came from (for messages). */
    record Source(String setting, String where, String cert, String key, String ca) {
        /** Never the key: a record's own toString would print it. */
        @Override
        public String toString() {
            return "Source[" + setting + " at " + where + "]";
        }

        /** A digest of the three texts: a reload acts only when it changes. */
        String fingerprint() {
            try {
                MessageDigest d = MessageDigest.getInstance("SHA-256");
                for (String s : List.of(cert, key, ca)) {
                    d.update(s.getBytes(StandardCharsets.UTF_8));
                    d.update((byte) 0);
                }
                return HexFormat.of().formatHex(d.digest());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no SHA-256 in this JVM", e);
            }
        }
    }

    /** "node-" and the first 16 hex digits of the fingerprint: no dots, so it ends the JDK's own alias. */
    static String alias(String fingerprint) {
        return "node-" + fingerprint.substring(0, Math.min(16, fingerprint.length()));
    }

    final X509Certificate[] chain;
    final List<X509Certificate> cas;
    final X509ExtendedKeyManager keyManager;
    final X509ExtendedTrustManager trustManager;
    final String fingerprint;
    /** The key's alias in this material's key store: unique per set of files (ClusterTls routes by it). */
    final String alias;

    private TlsMaterial(X509Certificate[] chain, List<X509Certificate> cas, X509ExtendedKeyManager keyManager,
            X509ExtendedTrustManager trustManager, String fingerprint) {
        this.chain = chain;
        this.cas = cas;
        this.keyManager = keyManager;
        this.trustManager = trustManager;
        this.fingerprint = fingerprint;
        this.alias = alias(fingerprint);
    }

    X509Certificate certificate() {
        return chain[0];
    }

    /** Reads the PEM texts the settings name; a file that cannot be read throws naming the setting. */
    static Source source(SecurityConfig c) {
        if (!c.tlsDir().isEmpty()) {
            Path dir = Path.of(c.tlsDir());
            return new Source(Settings.TLS_DIR.key(), c.tlsDir(), read(dir, CERT_FILE, c), read(dir, KEY_FILE, c),
                    read(dir, CA_FILE, c));
        }
        return new Source(Settings.TLS_CERT_PEM.key(), "sprawl.tls.*-pem", c.certPem(), c.keyPem(), c.caPem());
    }

    private static String read(Path dir, String file, SecurityConfig c) {
        Path p = dir.resolve(file);
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new SettingException(Settings.TLS_DIR.key(), c.tlsDir(), p + " cannot be read ("
                    + e.getClass().getSimpleName() + "); expected tls.crt, tls.key and ca.crt there, readable by the"
                    + " server's user");
        }
    }

    /** Checks the texts and builds the key and trust managers; throws naming what is wrong. */
    static TlsMaterial load(Source s, Instant now) {
        List<X509Certificate> chain = certificates(s, s.cert(), CERT_FILE);
        List<X509Certificate> cas = certificates(s, s.ca(), CA_FILE);
        PrivateKey key = privateKey(s);
        X509Certificate cert = chain.get(0);
        if (!keyMatches(key, cert)) {
            throw wrong(s, KEY_FILE + " is not the private key of the certificate in " + CERT_FILE + " ("
                    + cert.getSubjectX500Principal().getName() + ")");
        }
        try {
            cert.checkValidity(java.util.Date.from(now));
        } catch (CertificateExpiredException e) {
            throw wrong(s, "the certificate in " + CERT_FILE + " (" + cert.getSubjectX500Principal().getName()
                    + ") expired at " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw wrong(s, "the certificate in " + CERT_FILE + " (" + cert.getSubjectX500Principal().getName()
                    + ") is not valid before " + cert.getNotBefore().toInstant());
        }
        chainsToCa(s, chain, cas, now);
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry(alias(s.fingerprint()), key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, STORE_PASSWORD);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trusted.setCertificateEntry("ca" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            return new TlsMaterial(chain.toArray(new X509Certificate[0]), List.copyOf(cas), only(kmf.getKeyManagers(),
                    X509ExtendedKeyManager.class), only(tmf.getTrustManagers(), X509ExtendedTrustManager.class),
                    s.fingerprint());
        } catch (GeneralSecurityException | IOException e) {
            throw wrong(s, "the JVM could not use these credentials (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")");
        }
    }

    private static List<X509Certificate> certificates(Source s, String pem, String file) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw wrong(s, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (var c : f.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
        } catch (GeneralSecurityException e) {
            throw wrong(s, file + " is not PEM certificates (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw wrong(s, file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    private static PrivateKey privateKey(Source s) {
        Matcher m = PEM_KEY.matcher(s.key());
        if (!m.find()) {
            throw wrong(s, KEY_FILE + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (!m.group(1).isEmpty()) {
            throw wrong(s, KEY_FILE + " is a " + m.group(1).trim() + " key; expected an unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY): convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw wrong(s, KEY_FILE + " is not valid base64");
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw wrong(s, KEY_FILE + " is not an EC, RSA or Ed25519 PKCS#8 private key");
    }

    /** The key signs what the certificate's public key verifies: they are a pair. */
    private static boolean keyMatches(PrivateKey key, X509Certificate cert) {
        String alg = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature sign = Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(alg);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The node's own chain must be one its peers accept: signed, up the chain, by a CA in ca.crt. */
    private static void chainsToCa(Source s, List<X509Certificate> chain, List<X509Certificate> cas, Instant now) {
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate ca : cas) {
            anchors.add(new TrustAnchor(ca, null));
        }
        List<X509Certificate> path = new ArrayList<>(chain);
        path.removeIf(cas::contains);
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(java.util.Date.from(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw wrong(s, "the certificate in " + CERT_FILE + " (" + chain.get(0).getSubjectX500Principal().getName()
                    + ") is not signed by a CA in " + CA_FILE + " (" + e.getMessage() + ")");
        }
    }

    private static <T> T only(Object[] managers, Class<T> type) {
        for (Object m : managers) {
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
        throw new IllegalStateException("the JVM offers no " + type.getSimpleName());
    }

    private static SettingException wrong(Source s, String what) {
        return new SettingException(s.setting(), s.where(), what);
    }

    /** For the health and the API: who this node is and whom it trusts. Never the key. */
    String describe() {
        return certificate().getSubjectX500Principal().getName() + ", valid until " + certificate().getNotAfter()
                .toInstant() + ", trusting " + cas.size() + " CA(s)";
    }
}
