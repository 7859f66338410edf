package io.sprawl.overlay.cluster;

import java.io.EOFException;
import java.util.function.BiConsumer;
import org.jgroups.Address;
import org.jgroups.blocks.cs.Connection;
import org.jgroups.blocks.cs.NioConnection;
import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.stack.IpAddress;
import org.jgroups.protocols.FD_SOCK2;

/**
 * FD_SOCK2 that tells a process that exited from one that went silent. Each member holds a TCP
 * connection to the FD_SOCK2 port of its ping destination (the next member of the view). When that
 * process exits, however it dies, its kernel closes the socket in order: this end reads end-of-stream
 * (a FIN). A paused process keeps its sockets open; a host cut off, or a firewall that DROPs, sends
 * nothing; a firewall that REJECTs answers with a reset, which reads as an error, not as end-of-stream.
 *
 * <p>End-of-stream alone is not proof: a live member closes a connection it no longer needs when the
 * view changes (FD_SOCK2 does, to a former ping destination), and views change at slightly different
 * times on different members. So a connection the far end closed in order is only reported here, and
 * {@link ProcessCheck#confirmExit} then connects to that member's FD_SOCK2 port afresh: a live process
 * accepts; refused, after an orderly close, means its process is gone. (A firewall that REJECTs new
 * connections only, just as a live peer closes one in order, would fool it; and a member that sends
 * anything afterwards voids the proof: {@code FailureDetector.provenGone}.)
 *
 * <p>Its one other cause is a member that closes its channel: a graceful leave, which stops the
 * member's election before its transport (a leaving leader hands over first), so it proves the same:
 * that member does nothing more as a member.
 *
 * <p>Threads: {@link #connectionClosed} runs on the FD_SOCK2 server's selector thread; the listener
 * must hand the news off at once.
 */
public final class CrashWitness extends FD_SOCK2 {

    private volatile BiConsumer<Address, IpAddress> exited = (member, at) -> {
    };

    public CrashWitness() {
        // FD_SOCK2's own protocol id, so its header is FD_SOCK2's on the wire (a subclass has none registered).
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
    }

    /** Who is told of a member that closed this node's connection to its FD_SOCK2 port in order, and where. */
    public void onOrderlyClose(BiConsumer<Address, IpAddress> listener) {
        exited = listener;
    }

    @Override
    public void connectionClosed(Connection conn) {
        try {
            if (conn instanceof WitnessedConnection w && w.peerClosed && !shutting_down
                    && conn.peerAddress() instanceof IpAddress at) {
                for (Address member : members.getMembers()) {
                    if (!member.equals(local_addr) && getPhysicalAddresses(member).contains(at)) {
                        exited.accept(member, at);
                    }
                }
            }
        } finally {
            super.connectionClosed(conn); // FD_SOCK2's own reconnect and suspicion, whatever the listener did
        }
    }

    @Override
    protected NioServer createServer(int[] bindPorts) {
        for (int port : bindPorts) {
            try {
                return new NioServer(getThreadFactory(), getSocketFactory(), bind_addr, port, port, external_addr,
                        external_port, 0, "jgroups.nio.server.fd_sock") {
                    @Override
                    protected NioConnection createConnection(Address dest) throws Exception {
                        return new WitnessedConnection(dest, this).copyOnPartialWrite(copy_on_partial_write);
                    }
                };
            } catch (Exception ignored) {
                // the next port, as FD_SOCK2 does
            }
        }
        throw new IllegalStateException("no free FD_SOCK2 port of " + java.util.Arrays.toString(bindPorts));
    }

    /** A connection this node opened (to its ping destination), which remembers whether the far end closed it in order. */
    private static final class WitnessedConnection extends NioConnection {

        /** Set on the selector thread before the close is reported on it. */
        volatile boolean peerClosed;

        WitnessedConnection(Address dest, NioServer server) throws Exception {
            super(dest, server);
        }

        @Override
        protected boolean _read() throws Exception {
            try {
                return super._read();
            } catch (EOFException e) {
                peerClosed = true;
                throw e;
            }
        }
    }
}
