package io.sprawl.overlay.node;

import io.sprawl.overlay.cluster.ClusterTransport;
import io.sprawl.overlay.cluster.ForkProbeTransport;
import io.sprawl.overlay.cluster.SelfRecord;
import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.failure.ExecutorScheduler;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipManager;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The failure detector of a started node, wired: its probes over a fork of the cluster's channel, its
 * deadlines on a thread of their own, whom it probes (the table's members in the transport's view that
 * have not left), the member table whose one liveness state per member it reads and moves, and its
 * refutations into this node's record (written off the detector's monitor).
 */
final class Detection implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Detection.class.getName());

    private final FailureDetector detector;
    private final ForkProbeTransport probes;
    private final ExecutorScheduler deadlines;

    private Detection(FailureDetector detector, ForkProbeTransport probes, ExecutorScheduler deadlines) {
        this.detector = detector;
        this.probes = probes;
        this.deadlines = deadlines;
    }

    static Detection start(OverlayConfig config, Clock clock, ClusterTransport transport, MembershipManager membership,
                           SelfRecord self, long incarnation) throws Exception {
        ExecutorScheduler deadlines = new ExecutorScheduler("sprawl-detector-" + config.nodeId());
        AtomicReference<FailureDetector> receiver = new AtomicReference<>();
        ForkProbeTransport probes;
        try {
            probes = new ForkProbeTransport(transport.channel(), membership,
                    ForkProbeTransport.to(receiver::get, membership));
        } catch (Exception | Error e) {
            deadlines.close();
            throw e;
        }
        FailureDetector d = new FailureDetector(config.nodeId(), incarnation, config.detector(), clock, deadlines, probes,
                membership, inc -> {
                    LOG.info(() -> "node " + config.nodeId() + " refutes a suspicion of itself: incarnation " + inc);
                    self.refute(inc); // a cache write: on the records thread, not under the detector's monitor
                }, () -> candidates(config.nodeId(), transport, membership), new Random());
        self.onIncarnation(d::incarnationIs);
        receiver.set(d);
        probes.watchExits(d::processGone);
        return new Detection(d, probes, deadlines);
    }

    /** Whom the detector probes: members in the transport's view that have not left. */
    private static List<String> candidates(String selfId, ClusterTransport transport, MembershipManager membership) {
        Set<String> view = transport.view().members();
        List<String> out = new ArrayList<>();
        for (Member m : membership.members()) {
            if (!m.id().equals(selfId) && m.state() != MemberState.LEFT && view.contains(m.transportId())) {
                out.add(m.id());
            }
        }
        return out;
    }

    FailureDetector detector() {
        return detector;
    }

    @Override
    public void close() {
        probes.close();
        deadlines.close();
    }
}
