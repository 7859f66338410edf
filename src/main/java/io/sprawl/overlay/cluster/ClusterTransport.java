package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.membership.MemberRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.Cache;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.protostream.SerializationContextInitializer;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.UUID;

/**
 * The running Infinispan cache manager and, under it, the JGroups channel: the caches the overlay
 * keeps, the current view, whether this node coordinates it, the wire counters. A member is named by
 * its transport id (the JGroups UUID as text), the same on every node and new with every process.
 *
 * <p>Threads: created and closed by the node's lifecycle; every read is safe from any thread.
 */
public final class ClusterTransport implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterTransport.class.getName());

    /** A transport view read at one instant: its id and its members' transport ids. */
    public record ViewSnapshot(long id, Set<String> members) {
    }

    private final String nodeId;
    private final DefaultCacheManager manager;
    private final JChannel channel;
    private final JGroupsTransport transport;

    private ClusterTransport(String nodeId, DefaultCacheManager manager) {
        this.nodeId = nodeId;
        this.manager = manager;
        this.transport = (JGroupsTransport) GlobalComponentRegistry.componentOf(manager, Transport.class);
        this.channel = transport.getChannel();
    }

    /**
     * Creates the cache manager with the overlay's caches ({@code more} defines any others, and adds
     * listeners that must see the first view), and joins the cluster.
     */
    public static ClusterTransport start(OverlayConfig config, ClusterTls tls, SerializationContextInitializer schema,
                                         Consumer<DefaultCacheManager> more) {
        DefaultCacheManager manager = CacheManagerFactory.create(config, tls, schema);
        try {
            more.accept(manager);
            manager.start();
            ClusterTransport t = new ClusterTransport(config.nodeId(), manager);
            LOG.fine(() -> "JGroups stack of " + config.nodeId() + ": "
                    + t.channel.getProtocolStack().printProtocolSpec(false));
            return t;
        } catch (RuntimeException | Error e) {
            stopQuietly(config.nodeId(), manager, null);
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof SecurityException refused) {
                    // JGroups hands the joiner the coordinator's reason (ProtocolAuth): that is the line to show.
                    throw new JoinRefused("refused at join: " + refused.getMessage(), e);
                }
            }
            throw e;
        }
    }

    /** The cluster refused this node at its join (its protocol range meets none of the cluster's). */
    public static final class JoinRefused extends RuntimeException {
        JoinRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The protocol range this node speaks and the joins and merges it refused since start ({@link ProtocolAuth}).
     *
     * @param lastRefusal the reason of the last refusal, empty for none
     */
    public record ProtocolStatus(String speaks, long refused, String lastRefusal) {
    }

    public ProtocolStatus protocol() {
        ProtocolAuth auth = channel.getProtocolStack().findProtocol(ProtocolAuth.class);
        return auth == null ? new ProtocolStatus("", 0, "")
                : new ProtocolStatus(auth.range(), auth.refused(), auth.lastRefusal());
    }

    public <K, V> Cache<K, V> cache(String name) {
        return manager.getCache(name);
    }

    /** The cache manager itself, for the caches defined outside this package (the election's). */
    public DefaultCacheManager manager() {
        return manager;
    }

    /** The replicated member records: node id to {@link MemberRecord}. */
    public Cache<String, MemberRecord> records() {
        return manager.getCache(CacheManagerFactory.MEMBERS_CACHE);
    }

    /** The JGroups channel under Infinispan: for the fork channel of the probes and the seed join. */
    public JChannel channel() {
        return channel;
    }

    /** This process's transport id. */
    public String selfTransportId() {
        return transportId(transport.getAddress());
    }

    /** The current view, id and members together (JGroups installs a view whole). */
    public ViewSnapshot view() {
        View v = channel.getView();
        if (v == null) {
            return new ViewSnapshot(-1, Set.of());
        }
        Set<String> ids = new HashSet<>();
        for (org.jgroups.Address a : v.getMembers()) {
            if (a instanceof UUID u) {
                ids.add(transportId(u));
            }
        }
        return new ViewSnapshot(v.getViewId().getId(), Set.copyOf(ids));
    }

    public boolean up() {
        return manager.getStatus() == ComponentStatus.RUNNING && channel.isConnected();
    }

    public boolean running() {
        return manager.getStatus() == ComponentStatus.RUNNING;
    }

    /** The transport id of the view's coordinator (its oldest member), or null before the first view. */
    public String coordinator() {
        View v = channel.getView();
        return v != null && v.getCoord() instanceof UUID u ? transportId(u) : null;
    }

    public boolean isCoordinator() {
        return running() && manager.isCoordinator();
    }

    /** Bytes and messages this node's transport sent and received since start (JGroups' counters). */
    public Map<String, Long> wireStats() {
        var stats = channel.getProtocolStack().getTransport().getMessageStats();
        return Map.of("bytesSent", stats.getNumBytesSent(), "bytesReceived", stats.getNumBytesReceived(),
                "messagesSent", stats.getNumMsgsSent(), "messagesReceived", stats.getNumMsgsReceived());
    }

    @Override
    public void close() {
        stopQuietly(nodeId, manager, channel);
    }

    private static void stopQuietly(String nodeId, DefaultCacheManager manager, JChannel channel) {
        try {
            manager.stop();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping the cache manager of " + nodeId, e);
        }
        if (channel != null) {
            channel.close();
        }
    }

    public static String transportId(Address a) {
        return a.getNodeUUID().toString();
    }

    public static String transportId(UUID u) {
        return new java.util.UUID(u.getMostSignificantBits(), u.getLeastSignificantBits()).toString();
    }

    public static Set<String> transportIds(List<Address> members) {
        Set<String> out = new HashSet<>();
        for (Address a : members) {
            out.add(transportId(a));
        }
        return out;
    }
}
