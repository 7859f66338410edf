package io.sprawl.overlay.cluster;

import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.failure.ProbeTransport;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MembershipManager;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
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
final class ForkProbeTransport implements ProbeTransport, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ForkProbeTransport.class.getName());

    static final String FORK_STACK = "sprawl-overlay";
    static final String FORK_CHANNEL = "probes";
    /** A process check waits this long for its connection; a silent host (cut off, firewalled) is no evidence. */
    static final int PROCESS_CHECK_TIMEOUT_MS = 250;

    private final JChannel main;
    private final ForkChannel fork;
    private final MembershipManager membership;
    private final ExecutorService checks;
    private volatile Map<String, Address> byTransportId = Map.of();
    private volatile long mappedViewId = -1;

    ForkProbeTransport(JChannel main, MembershipManager membership, Consumer<Message> receiver) throws Exception {
        this.main = main;
        this.membership = membership;
        this.checks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sprawl-process-check");
            t.setDaemon(true);
            return t;
        });
        this.fork = new ForkChannel(main, FORK_STACK, FORK_CHANNEL);
        fork.setReceiver(new Receiver() {
            @Override
            public void receive(Message m) {
                receiver.accept(m);
            }
        });
        fork.connect(FORK_CHANNEL);
    }

    /** Feeds the detector with what arrives on the fork channel. */
    static Consumer<Message> to(java.util.function.Supplier<FailureDetector> detector) {
        return m -> {
            FailureDetector d = detector.get();
            if (d != null) {
                d.receive(m.getArray(), m.getOffset(), m.getLength());
            }
        };
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
        Address a = address(nodeId);
        VERIFY_SUSPECT2 verify = main.getProtocolStack().findProtocol(VERIFY_SUSPECT2.class);
        if (a != null && verify != null) {
            LOG.info(() -> "asking JGroups to verify and exclude " + nodeId + " (" + a + ")");
            verify.up(new Event(Event.SUSPECT, List.of(a)));
        }
    }

    /**
     * Connects to the member's FD_SOCK2 port, which its JGroups stack holds for as long as the process
     * lives (a stopped process too: the kernel still accepts). Refused means no process.
     */
    @Override
    public void checkProcess(String nodeId, Consumer<String> ifGone) {
        Member m = membership.member(nodeId).orElse(null);
        if (m == null || checks.isShutdown()) {
            return;
        }
        InetSocketAddress fdPort = new InetSocketAddress(m.address(), m.gossipPort() + JGroupsStack.FD_SOCK_OFFSET);
        try {
            checks.execute(() -> {
                try (Socket s = new Socket()) {
                    s.connect(fdPort, PROCESS_CHECK_TIMEOUT_MS);
                } catch (ConnectException e) {
                    ifGone.accept("nothing listens on " + fdPort.getHostString() + ":" + fdPort.getPort());
                } catch (IOException e) {
                    // a timeout or an unreachable host: no evidence either way
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
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
                    map.put(new java.util.UUID(u.getMostSignificantBits(), u.getLeastSignificantBits()).toString(), a);
                }
            }
            byTransportId = map;
            mappedViewId = view.getViewId().getId();
        }
        return byTransportId.get(member.transportId());
    }

    @Override
    public void close() {
        checks.shutdownNow();
        fork.close();
    }
}
