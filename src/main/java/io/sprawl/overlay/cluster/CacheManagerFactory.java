package io.sprawl.overlay.cluster;

import io.sprawl.overlay.config.OverlayConfig;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.protostream.SerializationContextInitializer;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The Infinispan cache manager of a node and the caches the overlay keeps in it (the leader cache is
 * the election's: {@code election.Election#define}).
 */
public final class CacheManagerFactory {

    /** Node id to {@code MemberRecord}: every member's own description, on every node. */
    public static final String MEMBERS_CACHE = "sprawl-members";
    /** Node id to that node's message count, published as it changes. */
    public static final String MESSAGES_CACHE = "sprawl-messages";
    /** Node id to that node's latest {@code MetricsSnapshot}, published every {@code sprawl.metrics.publish-interval-ms}. */
    public static final String METRICS_CACHE = "sprawl-metrics";
    /** The JMX domain of Infinispan's and JGroups' MBeans (Infinispan's default). */
    static final String JMX_DOMAIN = "org.infinispan";

    /**
     * Segments per cache, down from Infinispan's 256. The caches hold a few dozen small entries, and
     * after a merge the conflict resolution visits segment by segment: with 256 it kept the leader
     * record unavailable for ~8 s after a heal (in-JVM test, 2 cores). Not 1: with one segment of a
     * replicated cache no rebalance follows a conflict resolution, so the write tracking it starts never
     * stops, and a later resolution's writes of a key written meanwhile are dropped (Infinispan 16.1's
     * CommitManager): in the leader benchmark the leader record kept a cut-off side's lower term after a
     * heal, and the next term was then named with two leaders (2 of 5 runs of three heals).
     */
    public static final int SEGMENTS = 4;

    /**
     * Every cache's state transfer timeout, down from Infinispan's 240 s. It also bounds each conflict resolution
     * of the cache, and Infinispan runs those one at a time: in a FaultSuiteIT run after 90 s of 30 % loss on every
     * link, a resolution of the leader cache among two members waited for a member's replicas after that member had
     * left the view, and the whole cluster's resolution, queued behind it, left every node without a leader until
     * the test gave up at 120 s; it would have waited out the 240 s (a resolution holds back rebalances too, so a
     * rejoining node would wait as long for the tables).
     * Bounded, a stuck attempt fails and Infinispan runs the next or ends the phase. Still far above an honest
     * transfer of these small caches (the leader cache's rebalances took 0.02 s median, 0.61 s at most, in a 9-node
     * benchmark) and above a joiner's wait for its initial state on a loaded machine.
     */
    public static final long STATE_TRANSFER_TIMEOUT_MS = 30_000;

    private static final AtomicInteger SPARE_DOMAINS = new AtomicInteger();

    private CacheManagerFactory() {
    }

    /**
     * Infinispan's domain, unless a cache manager of this name is already registered in it: only when
     * one JVM runs two nodes of one id (a test of the duplicate-id refusal), where Infinispan would
     * refuse to start the second. That one gets a domain of its own.
     */
    static String jmxDomain(String nodeId) {
        try {
            ObjectName same = new ObjectName(JMX_DOMAIN + ":type=CacheManager,name=" + ObjectName.quote(nodeId) + ",*");
            if (ManagementFactory.getPlatformMBeanServer().queryNames(same, null).isEmpty()) {
                return JMX_DOMAIN;
            }
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("node id " + nodeId + " makes no JMX name", e);
        }
        return JMX_DOMAIN + "." + nodeId + "." + SPARE_DOMAINS.incrementAndGet();
    }

    /** A cache manager not yet started, so listeners can be added before the first view. */
    static DefaultCacheManager create(OverlayConfig c, ClusterTls tls, SerializationContextInitializer schema) {
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
        global.transport()
                .defaultTransport()
                .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, new JGroupsStack(c, tls))
                .clusterName(c.clusterName())
                .nodeName(c.nodeId());
        if (!c.site().isEmpty()) {
            global.transport().siteId(c.site());
        }
        if (!c.rack().isEmpty()) {
            global.transport().rackId(c.rack());
        }
        global.serialization().addContextInitializer(schema);
        // The server (or the test) stops the node; a JVM hook would race it.
        global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
        // Infinispan's and JGroups' statistics MBeans, beside the overlay's own (io.sprawl.overlay). The manager's
        // name is the node id, so the nodes that share one JVM in tests get names of their own.
        global.jmx().enabled(true).domain(jmxDomain(c.nodeId()));
        global.cacheManagerName(c.nodeId());

        DefaultCacheManager manager = new DefaultCacheManager(global.build(), false);

        ConfigurationBuilder members = new ConfigurationBuilder();
        members.clustering().hash().numSegments(SEGMENTS);
        members.clustering().stateTransfer().timeout(STATE_TRANSFER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        members.clustering().cacheMode(CacheMode.REPL_SYNC)
                // Each key has one writer (its owner, or the coordinator marking its departure), so after a
                // healed partition the sides rarely disagree; any value beats none, and owners re-publish.
                .partitionHandling().whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(MergePolicy.PREFERRED_NON_NULL);
        members.statistics().enable();
        manager.defineConfiguration(MEMBERS_CACHE, members.build());

        manager.defineConfiguration(MESSAGES_CACHE, latestValueCache());
        manager.defineConfiguration(METRICS_CACHE, latestValueCache());
        return manager;
    }

    /**
     * Message counts and metrics snapshots: each key written only by its node, often, and only the latest
     * value matters. Asynchronous replication. No conflict resolution after a heal: it could only pick a side's
     * copy, and for the nodes of the smaller side the bigger side's copy is the stale one; each owner publishes
     * its own again instead (metrics every interval, the message count at each topology change). Until then a
     * smaller-side node's snapshot is the one from before the cut, for one publish interval at most. Resolving
     * these two caches also took merge time and CPU from the member and leader caches' resolutions.
     */
    private static org.infinispan.configuration.cache.Configuration latestValueCache() {
        ConfigurationBuilder b = new ConfigurationBuilder();
        b.clustering().hash().numSegments(SEGMENTS);
        b.clustering().stateTransfer().timeout(STATE_TRANSFER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        b.clustering().cacheMode(CacheMode.REPL_ASYNC)
                .partitionHandling().whenSplit(PartitionHandling.ALLOW_READ_WRITES)
                .mergePolicy(MergePolicy.NONE);
        b.statistics().enable();
        return b.build();
    }
}
