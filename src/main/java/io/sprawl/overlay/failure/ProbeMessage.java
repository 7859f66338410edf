package io.sprawl.overlay.failure;

import java.util.List;

/**
 * What failure detectors say to each other over the cluster. Every message names its sender and
 * the sender's incarnation and carries recent rumors. Encoded by {@link ProbeCodec}.
 */
public sealed interface ProbeMessage {

    String from();

    long fromIncarnation();

    List<Rumor> rumors();

    /** Are you there? {@code target} is the member asked; a misdirected ping is dropped. */
    record Ping(long seq, String from, long fromIncarnation, String target, List<Rumor> rumors) implements ProbeMessage {
    }

    /**
     * Yes: the answer to the ping of this sequence number. A relay passes the target's ack on with
     * {@code relayed} set (its round trip is not the target's) and the target as {@code from}.
     */
    record Ack(long seq, String from, long fromIncarnation, boolean relayed, List<Rumor> rumors)
            implements ProbeMessage {
    }

    /** Please probe {@code target} for me and pass its ack on (SWIM's indirect probe). */
    record PingReq(long seq, String from, long fromIncarnation, String target, List<Rumor> rumors)
            implements ProbeMessage {
    }

    /** I asked {@code target} for you and heard nothing: the relay itself is alive (Lifeguard's nack). */
    record Nack(long seq, String from, long fromIncarnation, List<Rumor> rumors) implements ProbeMessage {
    }

    /** News only, sent to every member at once when it is new. */
    record Gossip(String from, long fromIncarnation, List<Rumor> rumors) implements ProbeMessage {
    }
}
