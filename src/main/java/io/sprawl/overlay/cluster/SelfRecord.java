package io.sprawl.overlay.cluster;

import io.sprawl.overlay.failure.ProbeCodec;
import io.sprawl.overlay.OverlayVersion;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.config.SettingException;
import io.sprawl.overlay.config.Settings;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.RecordStatus;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.infinispan.Cache;

/**
 * This node's own member record: its first incarnation at join, metadata updates, refutations (a new
 * incarnation when another node marked it departed or suspected it) and its goodbye. The record is
 * replaced whole, under one lock, and written to the replicated cache while holding it, so the cache
 * sees the node's revisions in order.
 *
 * <p>Threads. {@link #join} and {@link #leave} run on the lifecycle thread, {@link #updateMetadata} on
 * a request thread (it returns once every member has the record); refutations are asked for from any
 * thread (listeners, the detector) and written on the records thread, never on the caller's.
 */
public final class SelfRecord {

    private static final Logger LOG = Logger.getLogger(SelfRecord.class.getName());

    /**
     * How long JGroups takes at most to exclude a member whose transport is silent: the overlay's verdict
     * (a suspicion timeout of 4 s at most up to 10 members, which FD_ALL3's 3 s bounds with probing off),
     * the verification, and slack. A restarted node waits this long for its previous process to leave the view.
     */
    public static final long PREVIOUS_PROCESS_WAIT_MS = 4_000 + JGroupsStack.VERIFY_SUSPECT_MS + 1_500;

    /**
     * Tries of the goodbye. Its write waits for the record's lock at the key's primary owner (10 s at most), and an
     * earlier write of this record can hold that lock for the whole remote timeout (15 s) while a backup never
     * answers: in MinorityReadinessIT a refutation written right after a SIGSTOP waited on a member that had
     * excluded the writer meanwhile, and the goodbye gave up 8 ms before the lock came free. A second try outlasts it.
     */
    static final int GOODBYE_ATTEMPTS = 2;

    private final OverlayConfig config;
    private final Clock clock;
    private final ClusterTransport transport;
    private final Cache<String, MemberRecord> cache;
    private final Executor writes;
    private final Object lock = new Object();
    /** Replaced under {@code lock}; read by anyone. */
    private volatile MemberRecord current;
    private volatile boolean leaving;
    /** Told of every new incarnation this node takes (the failure detector refutes above it). */
    private volatile LongConsumer incarnations = i -> {
    };

    public SelfRecord(OverlayConfig config, Clock clock, ClusterTransport transport, Executor writes) {
        this.config = config;
        this.clock = clock;
        this.transport = transport;
        this.cache = transport.records();
        this.writes = writes;
    }

    /**
     * The incarnation this process takes: 1, or one above the record a previous process of this id left.
     * Waits for that process to leave the view; one still there after that is a live node holding our id.
     *
     * @throws SettingException when a live member already holds this node's id
     */
    public long firstIncarnation() throws InterruptedException {
        MemberRecord previous = cache.get(config.nodeId());
        if (previous == null) {
            return 1;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PREVIOUS_PROCESS_WAIT_MS);
        String mine = transport.selfTransportId();
        while (!previous.status().departed() && !previous.transportId().equals(mine)
                && transport.view().members().contains(previous.transportId())) {
            if (System.nanoTime() > deadline) {
                throw new SettingException(Settings.NODE_ID.key(), config.nodeId(), "a live member at "
                        + previous.address() + ":" + previous.gossipPort() + " already has this id; every node needs"
                        + " its own");
            }
            Thread.sleep(100);
        }
        return previous.incarnation() + 1;
    }

    /** Announces this node: its record, replicated to every member before this returns. */
    public void join(long incarnation, long startTime) {
        synchronized (lock) {
            MemberRecord record = new MemberRecord(config.nodeId(), transport.selfTransportId(), config.bindAddress(),
                    config.gossipPort(), config.httpPort(), OverlayVersion.VALUE, startTime, incarnation, config.site(),
                    config.rack(), config.capabilities(), config.metadata(), 1, clock.millis(), RecordStatus.ALIVE, 0,
                    ProbeCodec.MIN_VERSION, config.detector().protocolVersion());
            current = record;
            cache.put(record.id(), record);
        }
    }

    /** Replaces this node's metadata and broadcasts it; returns the new record once every member has it. */
    public MemberRecord updateMetadata(Map<String, String> metadata) {
        synchronized (lock) {
            MemberRecord next = current.withMetadata(metadata, clock.millis());
            current = next;
            cache.put(next.id(), next);
            return next;
        }
    }

    /**
     * Says goodbye: the others show this node {@code LEFT}, not {@code FAILED}. From here on no
     * refutation brings the node back.
     */
    public void leave() {
        leaving = true;
        for (int attempt = 1; attempt <= GOODBYE_ATTEMPTS; attempt++) {
            try {
                synchronized (lock) {
                    MemberRecord goodbye = current.leaving(clock.millis());
                    current = goodbye;
                    cache.put(goodbye.id(), goodbye);
                }
                LOG.info(() -> "node " + config.nodeId() + " left cluster '" + config.clusterName() + "'");
                return;
            } catch (RuntimeException e) {
                if (attempt == GOODBYE_ATTEMPTS) {
                    LOG.log(Level.WARNING, "could not say goodbye; the others will see this node FAILED", e);
                } else {
                    int tried = attempt;
                    LOG.info(() -> "goodbye attempt " + tried + " failed (" + e + "); trying again");
                }
            }
        }
    }

    /** Re-publishes this record as a new incarnation (at least {@code atLeast}), on the records thread. */
    public void refute(long atLeast) {
        writes.execute(() -> republish(atLeast));
    }

    /** Whether {@code r} is this process's own record marked departed by someone else (the other side of a partition). */
    public boolean markedDeparted(MemberRecord r) {
        MemberRecord mine = current;
        return r.id().equals(config.nodeId()) && mine != null && r.transportId().equals(mine.transportId())
                && r.status().departed() && !leaving;
    }

    /** Who is told of each new incarnation (the failure detector). */
    public void onIncarnation(LongConsumer c) {
        incarnations = c;
    }

    public MemberRecord current() {
        return current;
    }

    public boolean leaving() {
        return leaving;
    }

    private void republish(long atLeast) {
        if (leaving) {
            return;
        }
        try {
            synchronized (lock) {
                if (leaving) {
                    // Checked again under the lock: a refutation that waited here while the goodbye was written
                    // would otherwise bring the node back (seen after a heal: LEFT, then "rejoined", then FAILED).
                    return;
                }
                MemberRecord next = current.reincarnated(atLeast, clock.millis());
                current = next;
                cache.put(next.id(), next);
                incarnations.accept(next.incarnation());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not re-publish the record of " + config.nodeId() + " as a new incarnation",
                    e);
        }
    }
}
