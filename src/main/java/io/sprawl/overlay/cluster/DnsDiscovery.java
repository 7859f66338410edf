package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.OverlayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.naming.NamingException;
import org.jgroups.Address;
import org.jgroups.protocols.dns.AddressedDNSResolver;
import org.jgroups.protocols.dns.DNSResolver;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.stack.IpAddress;

/**
 * Discovery through DNS (a Kubernetes headless service): JGroups' DNS_PING, asked at start and at every
 * MERGE3 round, so a node that DNS lists late is merged in, and the wait, before a node joins, for the
 * name to list the node itself.
 *
 * <p>Why the wait: DNS lags pod creation. A node that starts while the name lists nobody (or only itself)
 * finds no one, forms a cluster alone, and MERGE3 must merge the clusters later (a split seen with Infinispan
 * and Keycloak, infinispan#16916, keycloak#12554). Pods of a StatefulSet with parallel start are created
 * together, so by the time the name lists this pod it lists its peers created with it.
 *
 * <p>Why the DNS server is asked directly (JNDI, {@code dns_address}), also when it is the system's: JGroups'
 * default resolver goes through {@code InetAddress}, whose cache (30 s for a name found, 10 s for one
 * not found) would hide a new node or keep a departed one.
 */
public final class DnsDiscovery {

    private static final Logger LOG = Logger.getLogger(DnsDiscovery.class.getName());
    private static final String CONTEXT_FACTORY = "com.sun.jndi.dns.DnsContextFactory";
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** How often the starting node asks again; CoreDNS answers headless names with a 5 s TTL, JNDI does not cache. */
    static final long POLL_MILLIS = 500;

    private DnsDiscovery() {
    }

    static DNS_PING protocol(OverlayConfig c) {
        return new DNS_PING().setDNSQuery(c.dnsQuery()).setDNSAddress(server(c).orElse(""));
    }

    /** The DNS server to ask: the setting, or the system's first nameserver; empty when neither is known. */
    static Optional<String> server(OverlayConfig c) {
        if (!c.dnsAddress().isEmpty()) {
            return Optional.of(c.dnsAddress());
        }
        try {
            return nameserver(Files.readString(RESOLV_CONF));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The first {@code nameserver} line of a resolv.conf, as JNDI's DNS provider takes it. */
    static Optional<String> nameserver(String resolvConf) {
        for (String line : resolvConf.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                String ns = words[1];
                return Optional.of(ns.indexOf(':') >= 0 ? "[" + ns + "]" : ns);
            }
        }
        return Optional.empty();
    }

    /** Asks the name's A records; what the node compares is the addresses alone. */
    interface Lookup {
        List<String> addresses();
    }

    private static String host(Address a) {
        return a instanceof IpAddress ip ? ip.getIpAddress().getHostAddress() : a.toString();
    }

    /** Sleeps between lookups; the test's moves a clock instead. */
    interface Pause {
        void millis(long ms) throws InterruptedException;
    }

    /**
     * Returns once the name lists {@code self}, or after {@code waitMillis}: true when it was listed. A node that
     * is never listed joins anyway (the name may leave unready pods out), and says why in one warning.
     */
    static boolean awaitListed(String query, String self, int waitMillis, Lookup lookup, LongSupplier nowMillis,
                               Pause pause) throws InterruptedException {
        long deadline = nowMillis.getAsLong() + waitMillis;
        int asked = 0;
        while (true) {
            List<String> seen = lookup.addresses();
            asked++;
            if (seen.contains(self)) {
                if (asked > 1) {
                    LOG.info("DNS name " + query + " lists this node (" + self + ") after " + asked + " lookups: " + seen);
                }
                return true;
            }
            if (nowMillis.getAsLong() >= deadline) {
                LOG.warning("DNS name " + query + " does not list this node (" + self + ") after " + waitMillis
                        + " ms (sprawl.dns.wait-ms), it lists " + seen + "; joining anyway. A Kubernetes headless"
                        + " service needs publishNotReadyAddresses: true");
                return false;
            }
            pause.millis(POLL_MILLIS);
        }
    }

    /** The wait of a starting node, with the real DNS (the resolver DNS_PING uses, closed after) and clock. */
    public static boolean awaitListed(OverlayConfig c) throws NamingException, InterruptedException {
        try (DNSResolver resolver = new AddressedDNSResolver(CONTEXT_FACTORY, server(c).orElse(""))) {
            return awaitListed(c.dnsQuery(), c.bindAddress(), c.dnsWaitMillis(),
                    () -> resolver.resolveIps(c.dnsQuery(), DNSResolver.DNSRecordType.A).stream()
                            .map(DnsDiscovery::host).toList(),
                    System::currentTimeMillis, Thread::sleep);
        }
    }
}
