package io.sprawl.overlay.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProbeCodecTest {

    private static final List<Rumor> RUMORS = List.of(
            new Rumor(Rumor.Kind.SUSPECT, "node-3", 4, "node-1", Rumor.Cause.INDIRECT_TIMEOUT),
            new Rumor(Rumor.Kind.ALIVE, "node-1", 2, "node-1", Rumor.Cause.REFUTED),
            new Rumor(Rumor.Kind.FAILED, "n.9_x", Long.MAX_VALUE, "node-2", Rumor.Cause.SUSPICION_TIMEOUT));

    @Test
    void everyMessageSurvivesTheRoundTrip() throws Exception {
        List<ProbeMessage> all = List.of(
                new ProbeMessage.Ping(7, "node-1", 3, "node-2", RUMORS),
                new ProbeMessage.Ack(7, "node-2", 1, false, List.of()),
                new ProbeMessage.Ack(8, "node-2", 1, true, RUMORS),
                new ProbeMessage.PingReq(9, "node-1", 3, "node-4", List.of()),
                new ProbeMessage.Nack(9, "node-5", 12, RUMORS),
                new ProbeMessage.Gossip("node-1", 3, RUMORS));
        for (ProbeMessage m : all) {
            byte[] bytes = ProbeCodec.encode(m);
            assertEquals(m, ProbeCodec.decode(bytes, 0, bytes.length));
            byte[] framed = new byte[bytes.length + 10];
            System.arraycopy(bytes, 0, framed, 5, bytes.length);
            assertEquals(m, ProbeCodec.decode(framed, 5, bytes.length), "at an offset");
        }
    }

    @Test
    void versionTwoCarriesTheRefutersPauseAndVersionOneLeavesItOut() throws Exception {
        ProbeMessage m = new ProbeMessage.Gossip("node-1", 3, List.of(
                new Rumor(Rumor.Kind.ALIVE, "node-1", 3, "node-1", Rumor.Cause.REFUTED, 2_150), RUMORS.get(0)));
        byte[] v2 = ProbeCodec.encode(m, 2);
        assertEquals(m, ProbeCodec.decode(v2, 0, v2.length));
        assertEquals(2, ProbeCodec.version(v2, 0));
        byte[] v1 = ProbeCodec.encode(m, 1);
        assertEquals(1, ProbeCodec.version(v1, 0));
        assertEquals(v2.length - 4, v1.length, "one int, in the ALIVE rumor only");
        ProbeMessage read = ProbeCodec.decode(v1, 0, v1.length);
        assertEquals(0, read.rumors().get(0).pauseMillis());
        assertThrows(IllegalArgumentException.class, () -> ProbeCodec.encode(m, 3));
    }

    /**
     * Version 1 as the first release writes it and reads it (its decoder takes version 1 only, with no
     * trailing byte): what this build sends a node of that release must be exactly this.
     */
    @Test
    void versionOneIsByteForByteTheFirstReleasesFormat() throws Exception {
        ProbeMessage m = new ProbeMessage.Ping(7, "n1", 3, "n2", List.of(
                new Rumor(Rumor.Kind.ALIVE, "n1", 3, "n1", Rumor.Cause.REFUTED, 900)));
        String hex = java.util.HexFormat.of().formatHex(ProbeCodec.encode(m, 1));
        assertEquals("5301" + "01" + "0000000000000007" + "026e31" + "0000000000000003" + "026e32"
                + "01" + "01" + "026e31" + "0000000000000003" + "026e31" + "03", hex);
    }

    @Test
    void aPingIsSmall() {
        assertTrue(ProbeCodec.encode(new ProbeMessage.Ping(1, "node0", 1, "node1", List.of())).length < 40);
    }

    @Test
    void garbageIsRejectedWithAReason() {
        byte[] good = ProbeCodec.encode(new ProbeMessage.Ping(7, "node-1", 3, "node-2", RUMORS));
        assertRejected(new byte[0], "truncated");
        assertRejected(new byte[] {0x00, 1, 1}, "magic");
        assertRejected(new byte[] {0x53, 9, 1}, "version 9");
        assertRejected(new byte[] {0x53, 0, 1}, "version 0");
        byte[] negativePause = ProbeCodec.encode(new ProbeMessage.Gossip("a", 1, List.of(
                new Rumor(Rumor.Kind.ALIVE, "a", 1, "a", Rumor.Cause.REFUTED, 5))), 2);
        negativePause[negativePause.length - 4] = (byte) 0x80;
        assertRejected(negativePause, "negative pause");
        assertRejected(new byte[] {0x53, 1, 42, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 1, 0},
                "unknown probe message type 42");
        assertRejected(Arrays.copyOf(good, good.length - 3), "truncated");
        assertRejected(Arrays.copyOf(good, good.length + 2), "trailing");
        byte[] tooMany = ProbeCodec.encode(new ProbeMessage.Gossip("a", 1, List.of()));
        tooMany[tooMany.length - 1] = (byte) 200;
        assertRejected(tooMany, "200 rumors");
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButMalformed() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[random.nextInt(80)];
            random.nextBytes(b);
            if (b.length > 2 && random.nextBoolean()) {
                b[0] = 0x53; // past the magic byte and version, into the fields
                b[1] = 1;
            }
            try {
                ProbeCodec.decode(b, 0, b.length);
            } catch (ProbeCodec.MalformedProbeException expected) {
                // the only way out besides a message
            }
        }
    }

    private static void assertRejected(byte[] bytes, String reason) {
        ProbeCodec.MalformedProbeException e = assertThrows(ProbeCodec.MalformedProbeException.class,
                () -> ProbeCodec.decode(bytes, 0, bytes.length));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
