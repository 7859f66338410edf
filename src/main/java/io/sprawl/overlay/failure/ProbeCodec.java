package io.sprawl.overlay.failure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of {@link ProbeMessage}s: a magic byte and a version, a type byte, the fields, the
 * rumors. Small (a ping with no rumor is ~30 bytes) and strict: anything else is rejected with a
 * {@link MalformedProbeException}, which the receiver counts and drops.
 *
 * <p>Versions (memberlist's protocol versions): this build reads {@link #MIN_VERSION} to {@link #VERSION}
 * and writes whichever the receiver speaks; the {@link FailureDetector} writes to each peer the newest
 * version its member record names (a record of the first release names none: 1), so a node of the previous
 * release, whose decoder takes only its own version, never gets a message it cannot read. Version 2 adds to each ALIVE rumor the pause the
 * refuting node asks to be allowed (4 bytes, ms).
 */
public final class ProbeCodec {

    static final int MAGIC = 0x53; // 'S'
    /** The oldest version this build reads and writes: the first release's. */
    public static final int MIN_VERSION = 1;
    /** The newest version this build speaks. */
    public static final int VERSION = 2;
    /** Bounds on what a peer may send, so garbage cannot make us allocate. */
    static final int MAX_RUMORS = 64;

    private static final int PING = 1;
    private static final int ACK = 2;
    private static final int PING_REQ = 3;
    private static final int NACK = 4;
    private static final int GOSSIP = 5;

    private ProbeCodec() {
    }

    /** A peer sent something that is not a probe message of this version. */
    public static final class MalformedProbeException extends Exception {
        MalformedProbeException(String message) {
            super(message);
        }
    }

    public static byte[] encode(ProbeMessage m) {
        return encode(m, VERSION);
    }

    /** The message in the wire form of {@code version} (MIN_VERSION to VERSION); what it cannot carry is left out. */
    public static byte[] encode(ProbeMessage m, int version) {
        if (version < MIN_VERSION || version > VERSION) {
            throw new IllegalArgumentException("probe protocol version " + version + ": this build speaks "
                    + MIN_VERSION + " to " + VERSION);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(version);
            // Java 17: no pattern switch yet.
            if (m instanceof ProbeMessage.Ping p) {
                out.writeByte(PING);
                out.writeLong(p.seq());
                header(out, m);
                id(out, p.target());
            } else if (m instanceof ProbeMessage.Ack a) {
                out.writeByte(ACK);
                out.writeLong(a.seq());
                header(out, m);
                out.writeBoolean(a.relayed());
            } else if (m instanceof ProbeMessage.PingReq r) {
                out.writeByte(PING_REQ);
                out.writeLong(r.seq());
                header(out, m);
                id(out, r.target());
            } else if (m instanceof ProbeMessage.Nack n) {
                out.writeByte(NACK);
                out.writeLong(n.seq());
                header(out, m);
            } else {
                out.writeByte(GOSSIP);
                header(out, m);
            }
            if (m.rumors().size() > MAX_RUMORS) {
                throw new IllegalArgumentException(m.rumors().size() + " rumors, at most " + MAX_RUMORS);
            }
            out.writeByte(m.rumors().size());
            for (Rumor r : m.rumors()) {
                out.writeByte(r.kind().ordinal());
                id(out, r.node());
                out.writeLong(r.incarnation());
                id(out, r.from());
                out.writeByte(r.cause().ordinal());
                if (version >= 2 && r.kind() == Rumor.Kind.ALIVE) {
                    out.writeInt((int) Math.min(Integer.MAX_VALUE, Math.max(0, r.pauseMillis())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    public static ProbeMessage decode(byte[] buf, int offset, int length) throws MalformedProbeException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset, length))) {
            if (in.readUnsignedByte() != MAGIC) {
                throw new MalformedProbeException("not a probe message (bad magic byte)");
            }
            int version = in.readUnsignedByte();
            if (version < MIN_VERSION || version > VERSION) {
                throw new MalformedProbeException("probe message version " + version + ", this build reads "
                        + MIN_VERSION + " to " + VERSION);
            }
            int type = in.readUnsignedByte();
            long seq = type == GOSSIP ? 0 : in.readLong();
            String from = id(in);
            long fromIncarnation = in.readLong();
            String target = type == PING || type == PING_REQ ? id(in) : null;
            boolean relayed = type == ACK && in.readBoolean();
            List<Rumor> rumors = rumors(in, version);
            if (in.available() > 0) {
                throw new MalformedProbeException(in.available() + " trailing bytes");
            }
            return switch (type) {
                case PING -> new ProbeMessage.Ping(seq, from, fromIncarnation, target, rumors);
                case ACK -> new ProbeMessage.Ack(seq, from, fromIncarnation, relayed, rumors);
                case PING_REQ -> new ProbeMessage.PingReq(seq, from, fromIncarnation, target, rumors);
                case NACK -> new ProbeMessage.Nack(seq, from, fromIncarnation, rumors);
                case GOSSIP -> new ProbeMessage.Gossip(from, fromIncarnation, rumors);
                default -> throw new MalformedProbeException("unknown probe message type " + type);
            };
        } catch (IOException e) {
            throw new MalformedProbeException("truncated probe message: " + e);
        }
    }

    private static void header(DataOutputStream out, ProbeMessage m) throws IOException {
        id(out, m.from());
        out.writeLong(m.fromIncarnation());
    }

    /** The version of a message {@link #decode} accepted. */
    public static int version(byte[] buf, int offset) {
        return buf[offset + 1] & 0xff;
    }

    private static List<Rumor> rumors(DataInputStream in, int version) throws IOException, MalformedProbeException {
        int count = in.readUnsignedByte();
        if (count > MAX_RUMORS) {
            throw new MalformedProbeException(count + " rumors, at most " + MAX_RUMORS + " allowed");
        }
        List<Rumor> rumors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int kind = in.readUnsignedByte();
            if (kind >= Rumor.Kind.values().length) {
                throw new MalformedProbeException("unknown rumor kind " + kind);
            }
            String node = id(in);
            long incarnation = in.readLong();
            String from = id(in);
            int cause = in.readUnsignedByte();
            if (cause >= Rumor.Cause.values().length) {
                throw new MalformedProbeException("unknown rumor cause " + cause);
            }
            long pause = 0;
            if (version >= 2 && kind == Rumor.Kind.ALIVE.ordinal()) {
                pause = in.readInt();
                if (pause < 0) {
                    throw new MalformedProbeException("negative pause " + pause + " in an ALIVE rumor");
                }
            }
            rumors.add(new Rumor(Rumor.Kind.values()[kind], node, incarnation, from, Rumor.Cause.values()[cause],
                    pause));
        }
        return List.copyOf(rumors);
    }

    private static void id(DataOutputStream out, String id) throws IOException {
        byte[] b = id.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeByte(b.length);
        out.write(b);
    }

    private static String id(DataInputStream in) throws IOException, MalformedProbeException {
        int len = in.readUnsignedByte();
        if (len == 0) {
            throw new MalformedProbeException("empty node id");
        }
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new MalformedProbeException("truncated node id");
        }
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
