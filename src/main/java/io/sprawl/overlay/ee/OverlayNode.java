package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.config.ApiConfig;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.routing.Router;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * The node's lifecycle: reads and validates the settings, joins the cluster when the server
 * starts, says goodbye when it stops or when an operator asks it to leave. The timers
 * ({@link NodeTimer}) find the running node here, and find none once it left.
 *
 * <p>Bean-managed concurrency: the container's default write lock would make every REST read
 * queue behind timer work. State is a few volatiles written at start and stop; the gossip manager
 * and member table guard themselves.
 *
 * <p>Bean-managed transactions: the node uses no JTA resource, and a container transaction around
 * a join would time out (120 s) on a slow start and around every timer tick cost for nothing.
 */
@Startup
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
public class OverlayNode {

    private static final Logger LOG = Logger.getLogger(OverlayNode.class.getName());

    @Inject
    Config mpConfig;

    @Inject
    Event<MembershipEvent> membershipEvents;

    @Inject
    OverlayMetrics prometheus;

    private volatile GossipManager gossip;
    private volatile ApiConfig api;
    private volatile Router router;
    private volatile String startupError;
    private volatile long startedAt;

    @PostConstruct
    void start() {
        OverlayConfig config;
        try {
            api = ApiConfig.from(key -> mpConfig.getOptionalValue(key, String.class), libertyKeystore());
            config = OverlayConfig.from(key -> mpConfig.getOptionalValue(key, String.class));
        } catch (SettingException e) {
            // One line naming key, value and what is allowed; the node does not start half-configured.
            startupError = e.getMessage();
            LOG.severe("sprawl-overlay not started: " + e.getMessage());
            return;
        }
        GossipManager node = new GossipManager(config, Clock.systemUTC());
        try {
            node.start();
        } catch (SettingException e) {
            startupError = e.getMessage();
            LOG.severe("sprawl-overlay not started: " + e.getMessage());
            node.close();
            return;
        } catch (Exception e) {
            startupError = "could not join cluster '" + config.clusterName() + "' on " + config.bindAddress() + ":"
                    + config.gossipPort() + ": " + e;
            LOG.log(Level.SEVERE, "sprawl-overlay not started: " + startupError, e);
            node.close();
            return;
        }
        node.membership().addListener(membershipEvents::fire);
        prometheus.register(node);
        router = new Router(node.membership()::snapshot, config.routingReplicas(), node::loads);
        startedAt = System.currentTimeMillis();
        gossip = node;
    }

    /**
     * Leaves the cluster on an operator's request while the server keeps running: hands the leadership
     * over, says goodbye, stops. From then on the timers find no node, readiness is DOWN naming why, and
     * the API answers 503; restarting the server joins again.
     */
    public synchronized void leave(String why) {
        GossipManager node = gossip;
        if (node == null) {
            return;
        }
        LOG.info("leaving the cluster: " + why);
        startupError = "this node left the cluster (" + why + "); restart the server to join again";
        gossip = null;
        node.close();
    }

    @PreDestroy
    synchronized void stop() {
        GossipManager node = gossip;
        gossip = null;
        if (node != null) {
            node.close();
        }
    }

    /** Where Liberty makes its own HTTPS keystore (server.output.dir is a system property of every Liberty server). */
    private static Optional<Path> libertyKeystore() {
        return Optional.ofNullable(System.getProperty("server.output.dir"))
                .map(dir -> Path.of(dir, "resources", "security", "key.p12"));
    }

    /** The running node, or empty when it did not start or has stopped. */
    public Optional<GossipManager> gossip() {
        return Optional.ofNullable(gossip);
    }

    /** Who may call the API; empty when the settings were bad (then the API is closed but for reads, see ApiAccess). */
    public Optional<ApiConfig> api() {
        return Optional.ofNullable(api);
    }

    /** The running node; a request that needs it gets 503 otherwise. */
    public GossipManager require() {
        GossipManager node = gossip;
        if (node == null) {
            throw new ApiException(503, "not-started", startupError != null ? startupError
                    : "the overlay node is not running");
        }
        return node;
    }

    public Router router() {
        require();
        return router;
    }

    public Optional<String> startupError() {
        return Optional.ofNullable(startupError);
    }

    public long startedAt() {
        return startedAt;
    }
}
