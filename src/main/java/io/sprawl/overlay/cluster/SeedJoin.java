package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.HostPort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCPPING;
import org.jgroups.stack.IpAddress;

/**
 * Joins the cluster of other seeds while running (an operator's {@code joinSeeds}): adds them to
 * static discovery (TCPPING) and lets MERGE3 merge the two clusters, asking at once rather than
 * waiting for its own interval. On the caller's thread; it waits, so never a listener's.
 */
public final class SeedJoin {

    /** How often the merge is asked for while waiting. */
    static final long ASK_EVERY_MS = 500;

    private SeedJoin() {
    }

    /** Returns whether a seed is in this node's view within the timeout. */
    public static boolean join(JChannel channel, String discovery, List<HostPort> seeds, long timeoutMillis)
            throws Exception {
        TCPPING ping = channel.getProtocolStack().findProtocol(TCPPING.class);
        if (ping == null) {
            throw new IllegalStateException("join(seeds) needs sprawl.discovery=static; this node uses "
                    + discovery.toLowerCase(Locale.ROOT));
        }
        List<PhysicalAddress> hosts = new ArrayList<>(ping.getInitialHosts());
        List<PhysicalAddress> wanted = new ArrayList<>();
        for (HostPort s : seeds) {
            IpAddress a = new IpAddress(InetAddress.getByName(s.host()), s.port());
            wanted.add(a);
            if (!hosts.contains(a)) {
                hosts.add(a);
            }
        }
        ping.setInitialHosts2(hosts);
        MERGE3 merge = channel.getProtocolStack().findProtocol(MERGE3.class);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (int round = 0; round < 1_000 && System.nanoTime() < deadline; round++) {
            if (wanted.stream().anyMatch(JGroupsStack.physicalAddressesInView(channel)::contains)) {
                return true;
            }
            merge.sendInfo();
            Thread.sleep(ASK_EVERY_MS);
        }
        return false;
    }
}
