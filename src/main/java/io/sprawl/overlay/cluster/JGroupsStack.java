package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.HostPort;
import io.sprawl.overlay.config.OverlayConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.infinispan.remoting.transport.jgroups.JGroupsChannelConfigurator;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.PhysicalAddress;
import org.jgroups.blocks.cs.TcpServer;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.COMPRESS;
import io.sprawl.overlay.failure.ProbeCodec;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FORK;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.MPING;
import org.jgroups.protocols.PerDestinationBundler;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;
import org.jgroups.protocols.TP;
import org.jgroups.util.DefaultSocketFactory;
import org.jgroups.util.SocketFactory;

/**
 * The JGroups stack of a node: Infinispan's TCP stack, tuned for a LAN and built in code so every
 * value sits beside its reason. Bottom to top, as JGroups lists protocols.
 *
 * <p>Handed to Infinispan as its channel configurator: a {@code JGroupsTransport} given in the
 * global configuration is copied, and the copy would build Infinispan's default UDP stack.
 */
public final class JGroupsStack implements JGroupsChannelConfigurator {

    /** FD_SOCK2 listens on the gossip port plus this; 1000 keeps it clear of the 7800+i and 9080+i ranges. */
    public static final int FD_SOCK_OFFSET = 1000;

    /**
     * FD_ALL3 suspects a peer whose heartbeats stopped for this long (Infinispan's default is 40 s) when the
     * overlay's probes do not find hung members for JGroups: probing off, or not asked to exclude.
     */
    static final long FD_ALL_TIMEOUT_MS = 3_000;
    /**
     * FD_ALL3's timeout while the overlay probes and has JGroups exclude what it finds FAILED: a backstop for
     * a node whose overlay is itself stuck, no more. FD_ALL3 listens to one link: the coordinator that stops
     * hearing one member excludes it, and under a one-way cut of that link (A hears B, B not A) whichever end
     * was the coordinator excluded the other in 3.2 s, a live node out of the view and FAILED everywhere.
     * The overlay asks others to probe through their own links first (SWIM's indirect probes), so a hung node
     * is still out in ~2.6 s and one bad link is no verdict; a link broken one way for a minute is.
     */
    static final long FD_ALL_BACKSTOP_MS = 60_000;
    static final long FD_ALL_INTERVAL_MS = 1_000;
    /**
     * How long a suspicion is checked before the member is excluded (Infinispan's default is 1 s). Only a
     * closed socket (FD_SOCK2), the overlay's own FAILED verdict or FD_ALL3's silence get here, so a live
     * member answers in milliseconds: 200 ms puts a crashed node out of the view in ~0.25 s.
     */
    static final long VERIFY_SUSPECT_MS = 200;
    /**
     * How long the coordinator waits for every member to acknowledge a new view (JGroups' default is
     * 2 s). A member that died after the view was cast never acks, and the next view, the one without
     * it, waits for this: with 2 s, killing 3 of 9 at once took the survivors ~3 s to agree, when the
     * deaths came in two views. Live members ack in milliseconds.
     */
    static final long VIEW_ACK_TIMEOUT_MS = 300;
    /**
     * MERGE3: with TCP each member runs a discovery round to the seeds every 0.75-2.25 s (JGroups picks
     * max(min, random(max) + max / 2)), and a coordinator compares the views it heard every 1.6 x max = 2.4 s,
     * waiting a tenth of that for the other coordinators' views; so a healed partition is found within a few
     * seconds and merged. With JGroups' 2-5 s the check ran every 8 s, and a 5+4 heal took a p99 of 15.6 s.
     * Tried and measured (leader benchmark, 3 heals each): 0.25-0.75 s (a 1.2 s check, 120 ms for the views)
     * found the heal sooner, but on 2 busy cores not every coordinator answered within 120 ms: the sides merged
     * in two or three steps, each one an Infinispan recovery and a leader term, and the heals took 16.0-18.8 s
     * against 8.3-23.4 s here. The price of these: one discovery request per second or so to each seed.
     * ({@link PromptMerge} changes the comparison: 0.3 s after a member outside the view is heard of, at most once a
     * second, waiting 600 ms for the views; MERGE3's own every 6 s as a backstop.)
     */
    static final long MERGE_MIN_MS = 500;
    static final long MERGE_MAX_MS = 1_500;
    /** Payloads above this are deflated: member records with metadata, state transfer. */
    static final int COMPRESS_MIN_BYTES = 1_024;

    private final OverlayConfig config;
    /** Mutual TLS on the transport's connections; null when the cluster runs plaintext (on purpose). */
    private final ClusterTls tls;
    private SocketFactory socketFactory;

    public JGroupsStack(OverlayConfig config, ClusterTls tls) {
        this.config = config;
        this.tls = tls;
    }

    @Override
    public String getName() {
        return "sprawl-tcp";
    }

    @Override
    public JChannel createChannel(String clusterName) throws Exception {
        JChannel channel = new JChannel(protocols(config));
        TP transport = channel.getProtocolStack().getTransport();
        // Infinispan's factory names sockets and threads after the cluster; under TLS it makes what stays plain.
        SocketFactory plain = socketFactory != null ? socketFactory : new DefaultSocketFactory();
        if (tls != null) {
            transport.setSocketFactory(new TlsSocketFactory(tls, plain));
            // New credentials: each connection re-opens under them (reliable traffic is retransmitted, and a probe
            // lost meanwhile is one missed ack, covered by the indirect probes through the other connections).
            tls.connections(() -> closers(channel));
        } else if (socketFactory != null) {
            transport.setSocketFactory(socketFactory);
        }
        return channel;
    }

    /** One closer per other member of the view: it closes this node's connection to that member. */
    private static List<Runnable> closers(JChannel channel) {
        List<Runnable> out = new ArrayList<>();
        ReopenableTcp tcp = channel.getProtocolStack().findProtocol(ReopenableTcp.class);
        if (channel.getView() == null || tcp == null) {
            return out;
        }
        Object self = channel.down(new Event(Event.GET_PHYSICAL_ADDRESS, channel.getAddress()));
        for (PhysicalAddress p : physicalAddressesInView(channel)) {
            if (!p.equals(self)) {
                out.add(() -> tcp.close(p));
            }
        }
        return out;
    }

    /** The transport addresses of the view's members, as this node's transport knows them. */
    static Set<PhysicalAddress> physicalAddressesInView(JChannel ch) {
        Set<PhysicalAddress> out = new HashSet<>();
        for (Address member : ch.getView().getMembers()) {
            if (ch.down(new Event(Event.GET_PHYSICAL_ADDRESS, member)) instanceof PhysicalAddress p) {
                out.add(p);
            }
        }
        return out;
    }

    /** JGroups' TCP transport, with a way to close one connection (it re-opens at the next send). */
    static final class ReopenableTcp extends TCP {
        void close(Address physical) {
            TcpServer server = srv;
            if (server != null) {
                server.closeConnection(physical);
            }
        }
    }

    @Override
    public void setSocketFactory(SocketFactory socketFactory) {
        this.socketFactory = socketFactory;
    }

    @Override
    public void setDataSource(DataSource dataSource) {
        // JDBC_PING is not used.
    }

    @Override
    public String getProtocolStackString() {
        return getName();
    }

    @Override
    public List<ProtocolConfiguration> getProtocolStack() {
        return List.of();
    }

    static List<Protocol> protocols(OverlayConfig c) throws UnknownHostException {
        InetAddress bind = InetAddress.getByName(c.bindAddress());
        List<Protocol> stack = new ArrayList<>();
        TCP tcp = new ReopenableTcp();
        tcp.setSockConnTimeout(300);
        tcp.setBindAddress(bind)
                .setBindPort(c.gossipPort())
                // Never a range: a node must not silently take a neighbour's port.
                .setPortRange(0);
        tcp.enableStats(true); // bytes and messages on the wire, for the cost figures
        // A sender thread per destination. JGroups connects (and this cluster's TLS handshakes) on the sending
        // thread: with one thread for all, a member behind 80 % loss held it in connect and handshake for
        // seconds at a time (20 of 64 thread dumps), every other member's probes stalled behind it, and live
        // members were failed. JGroups' default, this bundler with one sender thread, spun a core on idle nodes
        // (JGRP-3008, fixed in 5.5.6); with a thread per destination each blocks on its own queue.
        tcp.setBundler(new PerDestinationBundler().useSingleSenderThread(false));
        // A send that would block (a peer whose link lost its return path: its ACKs never come) waits in that
        // connection's own bounded queue, not in the bundler's one thread: blocking there, one stalled link
        // silenced the node to every member (a one-way cut of one link in FaultSuiteIT failed both ends).
        tcp.nonBlockingSends(true);
        stack.add(tcp);
        stack.add(discovery(c));
        stack.add(new PromptMerge().setMinInterval(MERGE_MIN_MS).setMaxInterval(MERGE_MAX_MS));
        // A killed process closes its socket: FD_SOCK2 sees that at once, and CrashWitness tells it from a silence.
        // Bound to the node's address, not 0.0.0.0.
        stack.add(new CrashWitness().setBindAddress(bind).setOffset(FD_SOCK_OFFSET).setPortRange(0));
        stack.add(new FD_ALL3().setTimeout(fdAllTimeout(c)).setInterval(FD_ALL_INTERVAL_MS));
        stack.add(new VERIFY_SUSPECT2().setTimeout(VERIFY_SUSPECT_MS));
        stack.add(new NAKACK2().setXmitInterval(200).setXmitTableNumRows(50).setXmitTableMsgsPerRow(1024)
                .setXmitTableMaxCompactionTime(30_000));
        stack.add(new UNICAST3().setXmitInterval(200).setXmitTableNumRows(50).setXmitTableMsgsPerRow(1024)
                .setXmitTableMaxCompactionTime(30_000).setConnCloseTimeout(5_000));
        stack.add(new STABLE().setDesiredAverageGossip(5_000).setMaxBytes(1_000_000));
        // Below GMS: a joiner or merger whose protocol range does not meet this node's is refused, with the reason.
        stack.add(new ProtocolAuth(c.nodeId(), ProbeCodec.MIN_VERSION, c.detector().protocolVersion()));
        stack.add(new GMS().setJoinTimeout(c.joinTimeoutMillis()).setViewAckCollectionTimeout(VIEW_ACK_TIMEOUT_MS));
        stack.add(new UFC().setMaxCredits(4_000_000).setMinThreshold(0.40));
        stack.add(new MFC().setMaxCredits(4_000_000).setMinThreshold(0.40));
        stack.add(new FRAG4().setFragSize(60_000));
        // Above fragmentation, so a large message is deflated once and then cut.
        stack.add(new COMPRESS().setMinSize(COMPRESS_MIN_BYTES));
        // The failure detector's own channel shares this stack (ForkProbeTransport).
        stack.add(new FORK());
        return stack;
    }

    /** How long FD_ALL3 waits on a silent peer: short only where the overlay does not find hung members. */
    static long fdAllTimeout(OverlayConfig c) {
        return c.detector().enabled() && c.detector().excludeFailed() ? FD_ALL_BACKSTOP_MS : FD_ALL_TIMEOUT_MS;
    }

    private static Protocol discovery(OverlayConfig c) throws UnknownHostException {
        return switch (c.discovery()) {
            // Answers carry every address the seed knows: a member that never had a newcomer (joined at run
            // time through another seed) in its list still reaches it after the merge, instead of suspecting it.
            case STATIC -> new TCPPING().setInitialHosts(socketAddresses(c.seeds())).setPortRange(0)
                    .returnEntireCache(true);
            case DNS -> DnsDiscovery.protocol(c);
            case MULTICAST -> new MPING()
                    .setBindAddr(InetAddress.getByName(c.bindAddress()))
                    .setMcastAddr(InetAddress.getByName(c.multicastAddress()))
                    .setMcastPort(c.multicastPort());
        };
    }

    static List<InetSocketAddress> socketAddresses(List<HostPort> seeds) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (HostPort s : seeds) {
            out.add(new InetSocketAddress(s.host(), s.port()));
        }
        return out;
    }
}
