package io.sprawl.overlay.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * Where a node's cluster credentials come from ({@code sprawl.cluster.security}, {@code sprawl.tls.*}):
 * a directory of PEM files, as a Kubernetes TLS Secret is mounted, or the same three PEM texts from
 * environment variables. Which files hold what, and whether they are valid, is checked when the node
 * starts ({@code cluster.TlsMaterial}). Immutable; {@link #toString} never shows the key.
 */
public record SecurityConfig(ClusterSecurity mode, String tlsDir, String certPem, String keyPem, String caPem) {

    static SecurityConfig from(Function<String, Optional<String>> source) {
        SecurityConfig c = new SecurityConfig(
                Settings.CLUSTER_SECURITY.read(source),
                Settings.TLS_DIR.read(source),
                Settings.TLS_CERT_PEM.read(source),
                Settings.TLS_KEY_PEM.read(source),
                Settings.TLS_CA_PEM.read(source));
        boolean pems = !c.certPem.isEmpty() || !c.keyPem.isEmpty() || !c.caPem.isEmpty();
        if (c.mode == ClusterSecurity.TLS && c.tlsDir.isEmpty() && !pems) {
            throw new SettingException(Settings.TLS_DIR.key(), "", "sprawl.cluster.security is tls, so the node needs"
                    + " its certificate: a directory with tls.crt, tls.key and ca.crt, or all three of"
                    + " sprawl.tls.cert-pem, sprawl.tls.key-pem and sprawl.tls.ca-pem (sprawl.cluster.security=plaintext"
                    + " turns protection off)");
        }
        if (c.mode == ClusterSecurity.TLS && !c.tlsDir.isEmpty() && pems) {
            throw new SettingException(Settings.TLS_DIR.key(), c.tlsDir, "give either the directory or the"
                    + " sprawl.tls.*-pem texts, not both");
        }
        if (c.mode == ClusterSecurity.TLS && pems && (c.certPem.isEmpty() || c.keyPem.isEmpty() || c.caPem.isEmpty())) {
            Setting<String> missing = c.certPem.isEmpty() ? Settings.TLS_CERT_PEM
                    : c.keyPem.isEmpty() ? Settings.TLS_KEY_PEM : Settings.TLS_CA_PEM;
            throw new SettingException(missing.key(), "", "the PEM texts come as three: sprawl.tls.cert-pem,"
                    + " sprawl.tls.key-pem and sprawl.tls.ca-pem");
        }
        return c;
    }

    public boolean tls() {
        return mode == ClusterSecurity.TLS;
    }

    @Override
    public String toString() {
        return "SecurityConfig[mode=" + mode + ", tlsDir=" + tlsDir + ", pem=" + !certPem.isEmpty() + "]";
    }
}
