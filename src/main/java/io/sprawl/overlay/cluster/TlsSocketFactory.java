package io.sprawl.overlay.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.jgroups.util.SocketFactory;

/**
 * The JGroups transport's sockets under {@link ClusterTls}: every TCP connection of the TCP transport
 * (discovery, views, merges, cache traffic, the failure detector's fork channel) is a TLS 1.3 socket
 * with a certificate on each side. What is not a TCP socket of the transport stays plain: FD_SOCK2's
 * NIO channels (they carry only a connect handshake with the cluster name and a transport address, and
 * the SUSPECT types it ignores on that socket) and UDP for multicast discovery.
 *
 * <p>The server side completes the handshake before JGroups sees the connection, on a pool of its own
 * and within {@link ClusterTls#HANDSHAKE_TIMEOUT_MS} in all: a connection that fails it (garbage, no
 * TLS, an untrusted, foreign or expired certificate, too slow) is counted and closed, and JGroups never
 * reads a byte of it. The client side handshakes in JGroups' connect, under the same deadline.
 */
final class TlsSocketFactory implements SocketFactory {

    /** Threads that run server-side handshakes: a handshake is ~1 ms of CPU; a slow peer only waits. */
    static final int HANDSHAKE_THREADS = 4;
    /** Handshakes waiting for a thread; more are refused at once. */
    static final int HANDSHAKE_QUEUE = 64;
    /** Handshakes at once from one address: a member dials each other member once or twice. */
    static final int HANDSHAKES_PER_PEER = 4;
    /** Finished connections JGroups has not taken yet. */
    static final int READY_MAX = 64;

    private final ClusterTls tls;
    private final SocketFactory plain;

    TlsSocketFactory(ClusterTls tls, SocketFactory plain) {
        this.tls = tls;
        this.plain = plain;
    }

    // ---- the transport's connections: TLS ---------------------------------------------------------

    @Override
    public Socket createSocket(String serviceName) throws IOException {
        SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket();
        s.setSSLParameters(tls.parameters(false));
        // Bounds JGroups' startHandshake(); lifted once the handshake completes (JSSE tells on its own thread,
        // within milliseconds; were a first read to start before that, the peers' heartbeats arrive within 1 s).
        s.setSoTimeout(ClusterTls.HANDSHAKE_TIMEOUT_MS);
        s.addHandshakeCompletedListener(e -> {
            try {
                e.getSocket().setSoTimeout(0);
            } catch (SocketException closed) {
                // closed meanwhile: nothing to lift
            }
        });
        return s;
    }

    @Override
    public Socket createSocket(String serviceName, String host, int port) throws IOException {
        return connected(serviceName, new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String serviceName, InetAddress address, int port) throws IOException {
        return connected(serviceName, new InetSocketAddress(address, port), null);
    }

    @Override
    public Socket createSocket(String serviceName, String host, int port, InetAddress localAddr, int localPort)
            throws IOException {
        return connected(serviceName, new InetSocketAddress(host, port), new InetSocketAddress(localAddr, localPort));
    }

    @Override
    public Socket createSocket(String serviceName, InetAddress address, int port, InetAddress localAddr, int localPort)
            throws IOException {
        return connected(serviceName, new InetSocketAddress(address, port),
                new InetSocketAddress(localAddr, localPort));
    }

    private Socket connected(String serviceName, SocketAddress to, SocketAddress local) throws IOException {
        SSLSocket s = (SSLSocket) createSocket(serviceName);
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(to, ClusterTls.HANDSHAKE_TIMEOUT_MS);
            // JGroups connects under one lock for every new connection: a peer that accepts and then never
            // answers (a stopped process) holds it only this long, however it trickles.
            java.util.concurrent.Future<?> deadline = tls.deadline(s);
            try {
                s.startHandshake();
            } finally {
                deadline.cancel(false);
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public ServerSocket createServerSocket(String serviceName) throws IOException {
        return new HandshakingServerSocket();
    }

    @Override
    public ServerSocket createServerSocket(String serviceName, int port) throws IOException {
        ServerSocket s = new HandshakingServerSocket();
        s.bind(new InetSocketAddress(port));
        return s;
    }

    @Override
    public ServerSocket createServerSocket(String serviceName, int port, int backlog) throws IOException {
        ServerSocket s = new HandshakingServerSocket();
        s.bind(new InetSocketAddress(port), backlog);
        return s;
    }

    @Override
    public ServerSocket createServerSocket(String serviceName, int port, int backlog, InetAddress bindAddr)
            throws IOException {
        ServerSocket s = new HandshakingServerSocket();
        s.bind(new InetSocketAddress(bindAddr, port), backlog);
        return s;
    }

    /**
     * Accepts only connections that complete a TLS handshake with a trusted client certificate. The
     * handshakes run off JGroups' acceptor thread, on a small pool of this socket's own, each under a hard
     * deadline (a peer that trickles one byte a second is cut off at {@link ClusterTls#HANDSHAKE_TIMEOUT_MS}),
     * at most {@link #HANDSHAKES_PER_PEER} at once from one address: a stranger that opens slow connections
     * cannot stop members from joining. {@link #accept} hands JGroups only finished ones.
     */
    private final class HandshakingServerSocket extends ServerSocket {
        private final BlockingQueue<SSLSocket> ready = new ArrayBlockingQueue<>(READY_MAX);
        private final Map<InetAddress, AtomicInteger> inProgress = new ConcurrentHashMap<>();
        private final ThreadPoolExecutor handshakes = new ThreadPoolExecutor(HANDSHAKE_THREADS, HANDSHAKE_THREADS,
                30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(HANDSHAKE_QUEUE), daemon("sprawl-tls-handshake"));
        private Thread acceptor; // started by the first accept(), under this object's lock

        HandshakingServerSocket() throws IOException {
            super();
            handshakes.allowCoreThreadTimeOut(true);
        }

        @Override
        public Socket accept() throws IOException {
            synchronized (this) {
                if (acceptor == null) {
                    acceptor = daemon("sprawl-tls-accept").newThread(this::acceptRaw);
                    acceptor.start();
                }
            }
            while (!isClosed()) { // bounded by the socket: closing it ends the wait within 200 ms
                try {
                    SSLSocket s = ready.poll(200, TimeUnit.MILLISECONDS);
                    if (s != null) {
                        return s;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new SocketException("closed");
        }

        /** The raw accept loop: each connection goes to the handshake pool, or is refused when it is full. */
        private void acceptRaw() {
            while (!isClosed()) {
                Socket raw;
                try {
                    raw = super.accept();
                } catch (IOException e) {
                    pause(); // closed (the loop ends), or a failed accept (out of file descriptors): not a spin
                    continue;
                }
                InetAddress from = raw.getInetAddress();
                AtomicInteger mine = inProgress.computeIfAbsent(from, a -> new AtomicInteger());
                if (mine.incrementAndGet() > HANDSHAKES_PER_PEER) {
                    done(from, mine);
                    refuse(raw, null, new SocketException("more than " + HANDSHAKES_PER_PEER
                            + " handshakes at once from this address"));
                    continue;
                }
                try {
                    handshakes.execute(() -> handshake(raw, from, mine));
                } catch (RejectedExecutionException e) {
                    done(from, mine);
                    refuse(raw, null, new SocketException("too many handshakes at once"));
                }
            }
        }

        private void handshake(Socket raw, InetAddress from, AtomicInteger mine) {
            SSLSocket s = null;
            java.util.concurrent.Future<?> deadline = tls.deadline(raw);
            try {
                s = (SSLSocket) tls.context().getSocketFactory().createSocket(raw, null, true);
                s.setSSLParameters(tls.parameters(true));
                s.setUseClientMode(false);
                s.setSoTimeout(ClusterTls.HANDSHAKE_TIMEOUT_MS);
                s.startHandshake();
                deadline.cancel(false);
                s.setSoTimeout(0);
                if (!ready.offer(s)) {
                    throw new SocketException("JGroups is not taking connections");
                }
                tls.accepted();
            } catch (IOException | RuntimeException e) {
                deadline.cancel(false);
                refuse(raw, s, e);
            } finally {
                done(from, mine);
            }
        }

        private void done(InetAddress from, AtomicInteger mine) {
            if (mine.decrementAndGet() <= 0) {
                inProgress.remove(from, mine);
            }
        }

        private void refuse(Socket raw, SSLSocket s, Exception why) {
            tls.refused(raw.getRemoteSocketAddress(), why);
            closeQuietly(s != null ? s : raw);
        }

        @Override
        public void close() throws IOException {
            super.close();
            handshakes.shutdownNow();
            for (SSLSocket s; (s = ready.poll()) != null; ) {
                closeQuietly(s);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // refused anyway
        }
    }

    // ---- everything else: as before ---------------------------------------------------------------

    @Override
    public DatagramSocket createDatagramSocket(String serviceName) throws SocketException {
        return plain.createDatagramSocket(serviceName);
    }

    @Override
    public DatagramSocket createDatagramSocket(String serviceName, SocketAddress bindaddr) throws SocketException {
        return plain.createDatagramSocket(serviceName, bindaddr);
    }

    @Override
    public DatagramSocket createDatagramSocket(String serviceName, int port) throws SocketException {
        return plain.createDatagramSocket(serviceName, port);
    }

    @Override
    public DatagramSocket createDatagramSocket(String serviceName, int port, InetAddress laddr)
            throws SocketException {
        return plain.createDatagramSocket(serviceName, port, laddr);
    }

    @Override
    public MulticastSocket createMulticastSocket(String serviceName) throws IOException {
        return plain.createMulticastSocket(serviceName);
    }

    @Override
    public MulticastSocket createMulticastSocket(String serviceName, int port) throws IOException {
        return plain.createMulticastSocket(serviceName, port);
    }

    @Override
    public MulticastSocket createMulticastSocket(String serviceName, SocketAddress bindaddr) throws IOException {
        return plain.createMulticastSocket(serviceName, bindaddr);
    }

    @Override
    public java.nio.channels.SocketChannel createSocketChannel(String serviceName) throws IOException {
        return plain.createSocketChannel(serviceName);
    }

    @Override
    public java.nio.channels.ServerSocketChannel createServerSocketChannel(String serviceName) throws IOException {
        return plain.createServerSocketChannel(serviceName);
    }

    @Override
    public void close(Socket sock) throws IOException {
        if (sock != null) {
            sock.close();
        }
    }

    @Override
    public void close(ServerSocket sock) throws IOException {
        if (sock != null) {
            sock.close();
        }
    }

    @Override
    public void close(DatagramSocket sock) {
        plain.close(sock);
    }
}
