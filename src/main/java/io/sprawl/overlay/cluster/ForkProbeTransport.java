package io.sprawl.overlay.cluster;

import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.failure.ProbeTransport;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.membership.MembershipSnapshot;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.fork.ForkChannel;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.util.UUID;

/**
 * The failure detector's messages over a JGroups fork channel of the cluster's own channel: the same
 * connections, none of Infinispan's command machinery, and delivery on JGroups' OOB threads so a
 * probe never queues behind cache traffic. Probes go unreliable (a retransmitted ping is stale news);
 * rumors go reliable.
 *
 * <p>Threads. Any thread sends; JGroups' threads deliver to {@link FailureDetector#receive}. The
 * address map is rebuilt, copy-on-write, when the view changes.
 */
public final class ForkProbeTransport implements ProbeTransport, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForkProbeTransport.class.getName());

    static final String FORK_STACK = "sprawl-overlay";
    static final String FORK_CHANNEL = "probes";
    /** Proven exits waiting for GMS: one per member that exited, and as many again for its proofs heard late. */
    static final int EXCLUSIONS_QUEUE = 64;

    private final JChannel main;
    private final ForkChannel fork;
    private final MembershipManager membership;
    private final ProcessCheck processes;
    /** Where proven exits are handed to GMS: a few at a time at most, each one view change. */
    private final ExecutorService exclusions;
    private volatile Map<String, Address> byTransportId = Map.of();
    private volatile long mappedViewId = -1;

    public ForkProbeTransport(JChannel main, MembershipManager membership, Consumer<Message> receiver)
            throws Exception {
        this.main = main;
        this.membership = membership;
        this.processes = new ProcessCheck(membership.selfId());
        this.exclusions = OwnedExecutors.single("sprawl-exclude-" + membership.selfId(), EXCLUSIONS_QUEUE);
        this.fork = new ForkChannel(main, FORK_STACK, FORK_CHANNEL);
        fork.setReceiver(new Receiver() {
            @Override
            public void receive(Message m) {
                receiver.accept(m);
            }
        });
        fork.connect(FORK_CHANNEL);
    }

    /**
     * Feeds the detector with what arrives on the fork channel, with the member it came from: the
     * transport's sender, never what the message says of itself.
     */
    public static Consumer<Message> to(Supplier<FailureDetector> detector, MembershipManager membership) {
        Senders senders = new Senders(membership);
        return m -> {
            FailureDetector d = detector.get();
            if (d != null) {
                d.receive(senders.nodeId(m.getSrc()), m.getArray(), m.getOffset(), m.getLength());
            }
        };
    }

    /** Transport address to node id, from the member table; rebuilt when the table changes. */
    private static final class Senders {
        private record Mapping(MembershipSnapshot table, Map<String, String> byTransportId) {
        }

        private final MembershipManager membership;
        private volatile Mapping mapping = new Mapping(null, Map.of());

        Senders(MembershipManager membership) {
            this.membership = membership;
        }

        /** The node id of the member at this address; null for an address no record names. */
        String nodeId(Address src) {
            if (!(src instanceof UUID u)) {
                return null;
            }
            MembershipSnapshot table = membership.snapshot();
            Mapping current = mapping;
            if (current.table() != table) {
                Map<String, String> map = new HashMap<>();
                for (Member m : table.members()) {
                    map.put(m.transportId(), m.id());
                }
                current = new Mapping(table, map);
                mapping = current;
            }
            return current.byTransportId().get(ClusterTransport.transportId(u));
        }
    }

    @Override
    public void send(String nodeId, byte[] message) {
        Address to = address(nodeId);
        if (to == null) {
            return;
        }
        Message m = new BytesMessage(to, message).setFlag(Message.Flag.OOB, Message.Flag.NO_FC,
                Message.Flag.NO_RELIABILITY, Message.Flag.DONT_BUNDLE);
        sendQuietly(m);
    }

    @Override
    public void broadcast(byte[] message) {
        Message m = new BytesMessage(null, message).setFlag(Message.Flag.OOB, Message.Flag.NO_FC,
                Message.Flag.DONT_BUNDLE).setFlag(Message.TransientFlag.DONT_LOOPBACK);
        sendQuietly(m);
    }

    /** Hands the member to VERIFY_SUSPECT2 as if a failure detector below it had suspected it. */
    @Override
    public void exclude(String nodeId) {
        suspect(nodeId, false);
    }

    /**
     * Hands the member to the protocols above VERIFY_SUSPECT2, as VERIFY_SUSPECT2 does once a suspect stayed
     * silent: its process is proven gone, so checking for 200 ms more only delays the view (and every write
     * and claim that waits on the dead member until it is out). On a thread of this transport: GMS installs
     * the view on the thread that hands it the suspicion, waiting for the members' acks.
     */
    @Override
    public void excludeExited(String nodeId) {
        suspect(nodeId, true);
    }

    private void suspect(String nodeId, boolean exited) {
        Address a = address(nodeId);
        VERIFY_SUSPECT2 verify = main.getProtocolStack().findProtocol(VERIFY_SUSPECT2.class);
        if (a == null || verify == null) {
            return;
        }
        Event suspicion = new Event(Event.SUSPECT, List.of(a));
        if (exited) {
            LOG.info(() -> "asking JGroups to exclude " + nodeId + " (" + a + ") at once: its process is proven gone");
            exclusions.execute(() -> verify.getUpProtocol().up(suspicion));
        } else {
            LOG.info(() -> "asking JGroups to verify and exclude " + nodeId + " (" + a + ")");
            verify.up(suspicion);
        }
    }

    /** Told of a member incarnation whose process exited, with the evidence. */
    public interface ExitListener {
        void exited(String nodeId, long incarnation, String evidence);
    }

    /**
     * Tells {@code gone} of each member whose process the transport saw exit: it closed this node's
     * failure-detection connection in order ({@link CrashWitness}) and that port, where JGroups reached it,
     * then refuses ({@link ProcessCheck#confirmExit}). On the process-check thread, never on JGroups' own;
     * with the incarnation the member had when it closed, so a restart in between is not taken for it.
     */
    public void watchExits(ExitListener gone) {
        CrashWitness witness = main.getProtocolStack().findProtocol(CrashWitness.class);
        if (witness == null) {
            return;
        }
        witness.onOrderlyClose((address, at) -> {
            if (!(address instanceof UUID u)) {
                return;
            }
            String transportId = ClusterTransport.transportId(u);
            for (Member m : membership.snapshot().members()) {
                if (transportId.equals(m.transportId())) {
                    processes.confirmExit(new InetSocketAddress(at.getIpAddress(), at.getPort()),
                            evidence -> gone.exited(m.id(), m.incarnation(), evidence));
                }
            }
        });
    }

    /** Whether the member's process is gone: {@link ProcessCheck}. */
    @Override
    public void checkProcess(String nodeId, Consumer<String> ifGone) {
        membership.member(nodeId).ifPresent(m -> processes.check(m, ifGone));
    }

    private void sendQuietly(Message m) {
        try {
            fork.send(m);
        } catch (Exception e) {
            // A closed channel (stopping) or a member gone: a probe that is not sent is not answered.
            LOG.log(Level.FINEST, "probe message not sent", e);
        }
    }

    private Address address(String nodeId) {
        Member member = membership.member(nodeId).orElse(null);
        if (member == null) {
            return null;
        }
        View view = main.getView();
        if (view == null) {
            return null;
        }
        if (view.getViewId().getId() != mappedViewId) {
            Map<String, Address> map = new HashMap<>();
            for (Address a : view.getMembers()) {
                if (a instanceof UUID u) {
                    map.put(ClusterTransport.transportId(u), a);
                }
            }
            byTransportId = map;
            mappedViewId = view.getViewId().getId();
        }
        return byTransportId.get(member.transportId());
    }

    @Override
    public void close() {
        exclusions.shutdownNow();
        processes.close();
        fork.close();
    }
}
