package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ProcessCheck#confirmExit} on real sockets of this host. */
class ProcessCheckTest {

    /** A dying process: its connection to us closed, its listening port accepts once more, then refuses. */
    @Test
    void aPortThatStillAcceptsForAMomentAfterTheCloseIsProvenGoneOnceItRefuses() throws Exception {
        try (ProcessCheck check = new ProcessCheck("test")) {
            ServerSocket dying = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), dying.getLocalPort());
            CompletableFuture<String> gone = new CompletableFuture<>();
            check.confirmExit(at, gone::complete);
            // Its backlog takes the first try; then the kernel closes the port (the check sleeps between tries).
            Thread.sleep(ProcessCheck.CONFIRM_SPACING_MS / 2);
            dying.close();
            String evidence = gone.get(10, TimeUnit.SECONDS);
            assertTrue(evidence.contains(" refused ") && evidence.contains(" ms later"), evidence);
        }
    }

    @Test
    void aPortThatKeepsAcceptingIsNoProof() throws Exception {
        try (ProcessCheck check = new ProcessCheck("test");
             ServerSocket live = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> gone = new CompletableFuture<>();
            check.confirmExit(new InetSocketAddress(InetAddress.getLoopbackAddress(), live.getLocalPort()), gone::complete);
            // The checks run in order on one thread: once a check of a closed port answers, the first one is done.
            int closed;
            try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            CompletableFuture<String> marker = new CompletableFuture<>();
            check.confirmExit(new InetSocketAddress(InetAddress.getLoopbackAddress(), closed), marker::complete);
            marker.get(10, TimeUnit.SECONDS);
            assertFalse(gone.isDone(), "a live port was taken for an exit: " + gone.getNow(null));
        }
    }
}
