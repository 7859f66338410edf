package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Is a member's process gone? Connects to its FD_SOCK2 port, which its JGroups stack holds for as
 * long as the process lives (a stopped process too: the kernel still accepts). Refused means no
 * process, but only for a member on this host: this kernel answers for both ends. Across a network a
 * firewall that REJECTs (a TCP reset or an ICMP port-unreachable) refuses exactly as a closed port
 * does, so there a refusal proves nothing and the member is left to the probes and the suspicion
 * timeout. Where the transport saw the member close a connection in order first ({@link CrashWitness}), a
 * refusal is proof on any host ({@link #confirmExit}). The checks run one at a time on a thread of their
 * own, in the order asked.
 */
final class ProcessCheck implements AutoCloseable {

    /** A check waits this long for its connection; a silent host (cut off, DROPped) is no evidence. */
    static final int TIMEOUT_MS = 250;
    /**
     * Tries of {@link #confirmExit}, {@link #CONFIRM_SPACING_MS} apart. A dying process's kernel closes its
     * sockets one by one: the connection to this node may end while the listening port still accepts for a
     * moment (in the leader benchmark a killed leader was then proven nothing and its lease waited out). A
     * live process accepts every time.
     */
    static final int CONFIRM_TRIES = 4;
    static final long CONFIRM_SPACING_MS = 50;
    /** Checks waiting: one per missed ack or suspicion, each done in at most the timeout above. */
    static final int QUEUE = 64;

    private final ExecutorService thread;

    ProcessCheck(String nodeId) {
        thread = OwnedExecutors.single("sprawl-process-check-" + nodeId, QUEUE);
    }

    /** Tells {@code ifGone} what shows that {@code m}'s process is gone, if anything does. */
    void check(Member m, Consumer<String> ifGone) {
        if (thread.isShutdown()) {
            return;
        }
        InetSocketAddress fdPort = new InetSocketAddress(m.address(), m.gossipPort() + JGroupsStack.FD_SOCK_OFFSET);
        thread.execute(() -> {
            if (!onThisHost(fdPort.getAddress())) {
                return;
            }
            if (refused(fdPort)) {
                ifGone.accept("nothing listens on " + fdPort.getHostString() + ":" + fdPort.getPort());
            }
        });
    }

    /**
     * A member closed this node's connection to its FD_SOCK2 port, at {@code fdPort}, in order
     * ({@link CrashWitness}): tells {@code ifGone} when that port now refuses too. That pair proves the exit
     * across a network as well: a live process accepts, and a REJECTing firewall resets rather than closes
     * in order. {@code fdPort} is where JGroups reached the member (resolved: no lookup on its thread).
     */
    void confirmExit(InetSocketAddress fdPort, Consumer<String> ifGone) {
        long closedAt = System.nanoTime();
        thread.execute(() -> {
            for (int i = 0; i < CONFIRM_TRIES; i++) {
                if (refused(fdPort)) {
                    // How long after the close: the proof's own share of a failover, for whoever reads the log.
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
                    ifGone.accept("it closed its failure-detection connection in order and "
                            + fdPort.getAddress().getHostAddress() + ":" + fdPort.getPort() + " refused " + ms
                            + " ms later");
                    return;
                }
                try {
                    Thread.sleep(CONFIRM_SPACING_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    private static boolean refused(InetSocketAddress port) {
        try (Socket s = new Socket()) {
            s.connect(port, TIMEOUT_MS);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false; // a timeout or an unreachable host: no evidence either way
        }
    }

    /** Whether the address is this host's own (loopback, or an interface's): no network lies between. */
    static boolean onThisHost(InetAddress a) {
        if (a == null) {
            return false;
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
