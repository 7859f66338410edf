package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.SecurityConfig;
import io.sprawl.overlay.config.SettingException;
import java.net.Socket;
import java.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS for the cluster transport: one {@link SSLContext} whose key and trust managers always use
 * the node's current {@link TlsMaterial}, so a rotated certificate or CA bundle takes effect without a
 * restart. A reload happens when the files change ({@link #reloadIfChanged}, from the housekeeping
 * timer); invalid new files are refused with a warning and the current credentials stay. After a
 * change every transport connection is closed, one at a time, and re-opens under the new credentials:
 * a peer that no longer holds a trusted certificate is cut off.
 *
 * <p>Peers are identified by their CA, not their host name: nodes find each other by address, and any
 * holder of a certificate the cluster's CA signed is a member. TLS 1.3 only; both sides are ours.
 *
 * <p>Threads. The housekeeping timer reloads; JGroups' acceptor and sender threads handshake, reading the
 * current material through a volatile; one thread of its own closes connections after a reload. Counters
 * are atomic.
 */
public final class ClusterTls {

    private static final Logger LOG = Logger.getLogger(ClusterTls.class.getName());

    /**
     * The longest a TLS handshake may take, either side. A peer that does not finish (a stranger holding the
     * connection open, or a stopped process) releases the acceptor or the sender after this. Handshakes here
     * take ~5 ms (loopback, EC keys); 2 s leaves room for a cold JVM on a busy machine.
     */
    static final int HANDSHAKE_TIMEOUT_MS = 2_000;
    static final String[] PROTOCOLS = {"TLSv1.3"};
    /**
     * After new credentials the node's connections are re-opened one at a time, this far apart: longer than a
     * probe and its indirect probes (~2 x 100 ms), so at any moment at most one of them is being re-opened and
     * the probes route around it. All at once, every probe of the next ~300 ms failed and peers were suspected.
     */
    static final long REHANDSHAKE_SPACING_MS = 250;
    /** A refused handshake is logged at most this often (with the count since), so a scan cannot flood the log. */
    static final long REFUSAL_LOG_INTERVAL_MS = 60_000;
    /** Files refused at a reload are tried again this often while they stay the same. */
    static final long RETRY_REFUSED_MS = 60_000;

    /** What the health, the API and the metrics show. Never the key. */
    public record Status(String subject, String issuer, long notAfter, List<String> trustedCas, long loadedAt,
            long reloads, long reloadsRefused, long handshakesAccepted, long handshakesRefused, long untrustedPeers,
            String lastRefusal, long lastRefusalAt) {
    }

    private final SecurityConfig config;
    private final Clock clock;
    private final SSLContext context;
    private volatile TlsMaterial current;
    /** The material before the last reload: a handshake that chose its alias just before may still ask for it. */
    private volatile TlsMaterial previous;
    private volatile long loadedAt;
    /**
     * The fingerprint of the files last tried, valid or not: a bad file is reported once, not every second,
     * and tried again every {@link #RETRY_REFUSED_MS} (a certificate refused as not yet valid may become so).
     */
    private volatile String lastTried;
    private volatile long lastRefusedAt;
    /** Gives one closer per open transport connection; each closes its connection, which re-opens at the next send. */
    private volatile java.util.function.Supplier<List<Runnable>> connections = List::of;
    /** Re-opens connections after a reload and cuts off handshakes past their deadline: short tasks, one thread. */
    private final java.util.concurrent.ScheduledExecutorService timers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sprawl-tls-timers");
                t.setDaemon(true);
                return t;
            });
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong reloadsRefused = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong untrusted = new AtomicLong();
    private volatile String lastRefusal = "";
    private volatile long lastRefusalAt;
    private long lastRefusalLogged;
    private long refusalsSinceLogged;

    private ClusterTls(SecurityConfig config, Clock clock, TlsMaterial material) throws GeneralSecurityException {
        this.config = config;
        this.clock = clock;
        this.current = material;
        this.lastTried = material.fingerprint;
        this.loadedAt = clock.millis();
        this.context = SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {new CurrentKeys()},
                new javax.net.ssl.TrustManager[] {new CurrentTrust()}, null);
    }

    /**
     * Reads and checks the credentials the settings name.
     *
     * @throws SettingException naming the setting and what is wrong with the files
     */
    public static ClusterTls start(SecurityConfig config, Clock clock) {
        TlsMaterial m = TlsMaterial.load(TlsMaterial.source(config), clock.instant());
        try {
            ClusterTls tls = new ClusterTls(config, clock, m);
            LOG.info(() -> "cluster traffic in mutual TLS as " + m.describe());
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no TLS", e);
        }
    }

    /** Where the transport's open connections come from, to re-open them under new credentials. */
    void connections(java.util.function.Supplier<List<Runnable>> closers) {
        connections = closers == null ? List::of : closers;
    }

    /** Stops re-opening connections (the node is stopping). */
    public void close() {
        timers.shutdownNow();
    }

    /**
     * Closes this socket unless the returned future is cancelled within {@link #HANDSHAKE_TIMEOUT_MS}: a
     * handshake's hard deadline (a socket timeout bounds each read, and a peer may send a byte at a time).
     */
    java.util.concurrent.Future<?> deadline(java.net.Socket s) {
        try {
            return timers.schedule(() -> {
                try {
                    s.close();
                } catch (java.io.IOException e) {
                    // closed already
                }
            }, HANDSHAKE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Re-reads the files and, if they changed and are valid, makes them current. Returns whether they
     * were taken. Texts from the environment never change.
     */
    public boolean reloadIfChanged() {
        if (config.tlsDir().isEmpty()) {
            return false;
        }
        TlsMaterial.Source source;
        try {
            source = TlsMaterial.source(config);
        } catch (SettingException e) {
            refuseReload("unreadable", e.getMessage());
            return false;
        }
        String fingerprint = source.fingerprint();
        boolean retryDue = clock.millis() - lastRefusedAt >= RETRY_REFUSED_MS;
        if (fingerprint.equals(current.fingerprint) || (fingerprint.equals(lastTried) && !retryDue)) {
            lastTried = fingerprint;
            return false;
        }
        lastTried = fingerprint;
        TlsMaterial next;
        try {
            next = TlsMaterial.load(source, clock.instant());
        } catch (SettingException e) {
            reloadsRefused.incrementAndGet();
            lastRefusedAt = clock.millis();
            LOG.warning("kept the current cluster certificate: the new files are not valid (tried again every "
                    + RETRY_REFUSED_MS / 1000 + " s while they stay so): " + e.getMessage());
            return false;
        }
        previous = current;
        current = next;
        loadedAt = clock.millis();
        reloads.incrementAndGet();
        List<Runnable> closers = connections.get();
        LOG.info(() -> "cluster certificate reloaded: now " + next.describe() + "; its " + closers.size()
                + " transport connection(s) re-open under it, one every " + REHANDSHAKE_SPACING_MS + " ms");
        for (int i = 0; i < closers.size(); i++) {
            try {
                timers.schedule(closers.get(i), (i + 1) * REHANDSHAKE_SPACING_MS,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                break;
            }
        }
        return true;
    }

    private void refuseReload(String tag, String message) {
        if (!tag.equals(lastTried)) {
            lastTried = tag;
            reloadsRefused.incrementAndGet();
            LOG.warning("kept the current cluster certificate: " + message);
        }
    }

    public Status status() {
        TlsMaterial m = current;
        return new Status(m.certificate().getSubjectX500Principal().getName(),
                m.certificate().getIssuerX500Principal().getName(), m.certificate().getNotAfter().getTime(),
                m.cas.stream().map(c -> c.getSubjectX500Principal().getName()).toList(), loadedAt, reloads.get(),
                reloadsRefused.get(), accepted.get(), refused.get(), untrusted.get(), lastRefusal, lastRefusalAt);
    }

    SSLContext context() {
        return context;
    }

    /** The parameters of every handshake, either side: TLS 1.3, and a server that demands the client's certificate. */
    SSLParameters parameters(boolean server) {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS);
        if (server) {
            p.setNeedClientAuth(true);
        }
        return p;
    }

    void accepted() {
        accepted.incrementAndGet();
    }

    /** A connection that did not complete its handshake (garbage, no TLS, an untrusted or expired certificate). */
    void refused(SocketAddress from, Exception why) {
        refused.incrementAndGet();
        String reason = why.getClass().getSimpleName() + ": " + why.getMessage();
        lastRefusal = from + ": " + reason;
        long now = clock.millis();
        lastRefusalAt = now;
        synchronized (this) {
            refusalsSinceLogged++;
            if (now - lastRefusalLogged < REFUSAL_LOG_INTERVAL_MS) {
                return;
            }
            long n = refusalsSinceLogged;
            refusalsSinceLogged = 0;
            lastRefusalLogged = now;
            LOG.warning("refused a cluster connection from " + from + " (" + reason + ")"
                    + (n > 1 ? "; " + n + " refused since the last such line" : ""));
        }
    }

    /**
     * The current key, whatever it is now. Each material's key has an alias of its own, so a handshake that
     * chose an alias before a reload gets that material's chain and key, never the new chain with the old key.
     */
    private final class CurrentKeys extends X509ExtendedKeyManager {
        private X509ExtendedKeyManager keys() {
            return current.keyManager;
        }

        /** The material whose key this alias names (the JDK prefixes its own counters to the store's alias). */
        private X509ExtendedKeyManager keys(String alias) {
            TlsMaterial c = current;
            TlsMaterial p = previous;
            if (alias != null && p != null && !alias.endsWith(c.alias) && alias.endsWith(p.alias)) {
                return p.keyManager;
            }
            return c.keyManager;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys().getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keys().chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keys().chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys(alias).getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys(alias).getPrivateKey(alias);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keys().chooseEngineClientAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keys().chooseEngineServerAlias(keyType, issuers, engine);
        }
    }

    /** The current CAs, whatever they are now; a peer they do not vouch for is counted. */
    private final class CurrentTrust extends X509ExtendedTrustManager {
        /** One of the JDK trust manager's checks. */
        private interface Check {
            void run(X509ExtendedTrustManager trust) throws CertificateException;
        }

        private void check(Check c) throws CertificateException {
            try {
                c.run(current.trustManager);
            } catch (CertificateException e) {
                untrusted.incrementAndGet();
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(t -> t.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(t -> t.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(t -> t.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(t -> t.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(t -> t.checkClientTrusted(chain, authType));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(t -> t.checkServerTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return current.trustManager.getAcceptedIssuers();
        }
    }
}
