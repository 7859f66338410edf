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
import javax.net.ssl.SSLSocket;
import org.jgroups.util.SocketFactory;

/**
 * The JGroups transport's sockets under {@link ClusterTls}: every TCP connection of the TCP transport
 * (discovery, views, merges, cache traffic, the failure detector's fork channel) is a TLS 1.3 socket
 * with a certificate on each side. What is not a TCP socket of the transport stays plain: FD_SOCK2's
 * NIO channels (they carry only a connect handshake with the cluster name and a transport address, and
 * the SUSPECT types it ignores on that socket) and UDP for multicast discovery.
 *
 * <p>The server side completes the handshake before JGroups sees the connection, on the acceptor's
 * thread and within {@link ClusterTls#HANDSHAKE_TIMEOUT_MS}: a connection that fails it (garbage, no
 * TLS, an untrusted, foreign or expired certificate) is counted and closed, and JGroups never reads a
 * byte of it. The client side handshakes in JGroups' connect, under the same timeout.
 */
final class TlsSocketFactory implements SocketFactory {

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
            s.startHandshake();
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

    /** Accepts only connections that complete a TLS handshake with a trusted client certificate. */
    private final class HandshakingServerSocket extends ServerSocket {
        HandshakingServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            // Bounded: each turn either returns or refuses one connection; the socket closing ends it.
            while (true) {
                Socket raw = super.accept();
                SSLSocket s = null;
                try {
                    s = (SSLSocket) tls.context().getSocketFactory().createSocket(raw, null, true);
                    s.setSSLParameters(tls.parameters(true));
                    s.setUseClientMode(false);
                    s.setSoTimeout(ClusterTls.HANDSHAKE_TIMEOUT_MS);
                    s.startHandshake();
                    s.setSoTimeout(0);
                    tls.accepted();
                    return s;
                } catch (IOException | RuntimeException e) {
                    tls.refused(raw.getRemoteSocketAddress(), e);
                    closeQuietly(s != null ? s : raw);
                    if (isClosed()) {
                        throw new SocketException("closed");
                    }
                }
            }
        }
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
