package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.OverlayConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.PerDestinationBundler;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/** The transport of the stack as built: what was chosen on purpose stays chosen. */
class JGroupsStackTest {

    @Test
    void theTransportIsTcpOnOnePortWithTheTransferQueueBundler() throws Exception {
        OverlayConfig c = OverlayConfig.from(Map.of("sprawl.node.id", "a", "sprawl.gossip.port", "23990",
                "sprawl.cluster.security", "plaintext"));
        List<Protocol> stack = JGroupsStack.protocols(c);
        assertTrue(stack.get(0) instanceof TCP, stack.toString());
        TCP tcp = (TCP) stack.get(0);
        assertEquals(23990, tcp.getBindPort());
        assertEquals(0, tcp.getPortRange(), "never a neighbour's port");
        // One sender thread per destination: a member that takes seconds to connect to holds up only its own.
        PerDestinationBundler bundler = assertInstanceOf(PerDestinationBundler.class, tcp.getBundler());
        assertFalse(bundler.useSingleSenderThread());
    }

    /**
     * FD_ALL3 hears one link: with it at 3 s, a one-way cut of one link got a live node excluded by the
     * coordinator at the far end (FaultSuiteIT). The overlay's indirect probes decide; FD_ALL3 only without them.
     */
    @Test
    void heartbeatSilenceExcludesOnlyAsABackstopWhileTheOverlayProbes() throws Exception {
        assertEquals(60_000, fdAll(Map.of()).getTimeout());
        assertEquals(3_000, fdAll(Map.of("sprawl.probe.enabled", "false")).getTimeout());
        assertEquals(3_000, fdAll(Map.of("sprawl.probe.exclude-failed", "false")).getTimeout());
    }

    private static FD_ALL3 fdAll(Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of("sprawl.node.id", "a",
                "sprawl.gossip.port", "23990", "sprawl.cluster.security", "plaintext"));
        settings.putAll(extra);
        return JGroupsStack.protocols(OverlayConfig.from(settings)).stream().filter(FD_ALL3.class::isInstance)
                .map(FD_ALL3.class::cast).findFirst().orElseThrow();
    }
}
