package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sprawl.overlay.config.OverlayConfig;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.testkit.InfinispanAddresses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/**
 * Two clusters that come to hear of each other merge at once, not at the next periodic comparison: here that one
 * is set to a minute, so only the prompt comparison can merge them within the wait. And a coordinator left behind
 * in a view its members have left is not left there.
 */
class PromptMergeTest {

    private static final int A = 23992;
    private static final int B = 23993;
    private static final int C = 23994;

    @Test
    void clustersMergeAsSoonAsTheyHearOfEachOther() throws Exception {
        String cluster = "prompt-merge-" + System.nanoTime();
        try (JChannel a = alone("a", A); JChannel b = alone("b", B)) {
            a.connect(cluster);
            b.connect(cluster);
            assertEquals(1, a.getView().size(), "a started alone");
            assertEquals(1, b.getView().size(), "b started alone");
            PromptMerge merge = a.getProtocolStack().findProtocol(PromptMerge.class);
            assertEquals(ClassConfigurator.getProtocolId(MERGE3.class), merge.getId(), "MERGE3's headers on the wire");
            List<InetSocketAddress> both = List.of(new InetSocketAddress("127.0.0.1", A),
                    new InetSocketAddress("127.0.0.1", B));
            for (JChannel ch : List.of(a, b)) {
                ch.getProtocolStack().<TCPPING>findProtocol(TCPPING.class).setInitialHosts(both);
            }
            Await.until("one view of both", Duration.ofSeconds(20),
                    () -> a.getView().size() == 2 && b.getView().equals(a.getView()),
                    () -> a.getView() + " / " + b.getView());
        }
    }

    /**
     * b and c move on without a, their coordinator (b suspects it and installs a view of b and c, which a never
     * hears of): a keeps [a, b, c], where b and c answer every check JGroups makes. a hears their INFOs name another
     * view, excludes them, and the two sides merge.
     */
    @Test
    void aCoordinatorLeftBehindInAStaleViewShedsItAndMerges() throws Exception {
        String cluster = "left-behind-" + System.nanoTime();
        List<InetSocketAddress> all = List.of(new InetSocketAddress("127.0.0.1", A),
                new InetSocketAddress("127.0.0.1", B), new InetSocketAddress("127.0.0.1", C));
        try (JChannel a = alone("a", A); JChannel b = alone("b", B); JChannel c = alone("c", C)) {
            for (JChannel ch : List.of(a, b, c)) {
                ch.getProtocolStack().<TCPPING>findProtocol(TCPPING.class).setInitialHosts(all);
                ch.connect(cluster);
            }
            Await.until("one view of three", Duration.ofSeconds(20), () -> a.getView().size() == 3
                    && b.getView().equals(a.getView()) && c.getView().equals(a.getView()),
                    () -> a.getView() + " / " + b.getView() + " / " + c.getView());
            View before = a.getView();
            Protocol aboveVerify = b.getProtocolStack().<VERIFY_SUSPECT2>findProtocol(VERIFY_SUSPECT2.class)
                    .getUpProtocol();
            aboveVerify.up(new Event(Event.SUSPECT, List.of(a.getAddress())));
            Await.until("b and c in a view a never heard of", Duration.ofSeconds(10),
                    () -> b.getView().size() == 2, () -> b.getView().toString());
            System.out.println("left behind: a " + a.getView() + ", b " + b.getView() + ", c " + c.getView());
            Await.until("one view of three again", Duration.ofSeconds(30), () -> a.getView().size() == 3
                    && b.getView().equals(a.getView()) && c.getView().equals(a.getView())
                    && !a.getView().equals(before), () -> a.getView() + " / " + b.getView() + " / " + c.getView());
        }
    }

    /** A channel of this stack whose only seed is itself, its periodic comparison once a minute. */
    private static JChannel alone(String id, int port) throws Exception {
        OverlayConfig c = OverlayConfig.from(Map.of("sprawl.node.id", id, "sprawl.gossip.port", String.valueOf(port),
                "sprawl.cluster.security", "plaintext", "sprawl.bind.address", "127.0.0.1",
                "sprawl.seeds", "127.0.0.1:" + port));
        List<Protocol> stack = JGroupsStack.protocols(c);
        stack.stream().filter(PromptMerge.class::isInstance).map(PromptMerge.class::cast)
                .forEach(p -> p.periodic(60_000));
        return InfinispanAddresses.addressedAsANode(new JChannel(stack).name(id), id);
    }
}
