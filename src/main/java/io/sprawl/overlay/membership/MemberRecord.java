package io.sprawl.overlay.membership;

import java.util.Map;
import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoField;

/**
 * One member as it describes itself, the value of the replicated member cache (key: the node id).
 * Marshalled by ProtoStream (schema generated at build). Immutable; each change is a new record.
 *
 * @param transportId the member's JGroups address (a UUID, new at every start): tells a restarted
 *                    node from the process it replaces, and whether the member is in the view
 * @param revision    bumped by the owner on each write, so a stale copy can be told from a new one
 * @param updatedAt   the owner's clock at that write (epoch ms)
 * @param departedAt  when the coordinator marked it FAILED or LEFT (epoch ms), else 0
 * @param protocolMin the oldest protocol version the member speaks (probe wire format; ProbeCodec)
 * @param protocolMax the newest; both absent (0) in a record of the first release, which speaks 1 only
 */
@Proto
public record MemberRecord(
        @ProtoField(number = 1) String id,
        @ProtoField(number = 2) String transportId,
        @ProtoField(number = 3) String address,
        @ProtoField(number = 4) int gossipPort,
        @ProtoField(number = 5) int httpPort,
        @ProtoField(number = 6) String version,
        @ProtoField(number = 7) long startTime,
        @ProtoField(number = 8) long incarnation,
        @ProtoField(number = 9) String site,
        @ProtoField(number = 10) String rack,
        @ProtoField(number = 11) Map<String, String> capabilities,
        @ProtoField(number = 12) Map<String, String> metadata,
        @ProtoField(number = 13) long revision,
        @ProtoField(number = 14) long updatedAt,
        @ProtoField(number = 15) RecordStatus status,
        @ProtoField(number = 16) long departedAt,
        @ProtoField(number = 17) int protocolMin,
        @ProtoField(number = 18) int protocolMax) {

    /** What a record without a protocol range (the first release's) speaks. */
    public static final int FIRST_RELEASE_PROTOCOL = 1;

    public MemberRecord {
        if (protocolMax <= 0) {
            protocolMin = FIRST_RELEASE_PROTOCOL;
            protocolMax = FIRST_RELEASE_PROTOCOL;
        }
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        site = site == null ? "" : site;
        rack = rack == null ? "" : rack;
        status = status == null ? RecordStatus.ALIVE : status;
    }

    /** A record as the first release wrote it: no protocol range (it speaks version 1). */
    public MemberRecord(String id, String transportId, String address, int gossipPort, int httpPort, String version,
            long startTime, long incarnation, String site, String rack, Map<String, String> capabilities,
            Map<String, String> metadata, long revision, long updatedAt, RecordStatus status, long departedAt) {
        this(id, transportId, address, gossipPort, httpPort, version, startTime, incarnation, site, rack, capabilities,
                metadata, revision, updatedAt, status, departedAt, 0, 0);
    }

    /** The range as the API shows it: "1-2". */
    public String protocol() {
        return protocolMin + "-" + protocolMax;
    }

    /** The owner's next write: new metadata, one revision further. */
    public MemberRecord withMetadata(Map<String, String> newMetadata, long now) {
        return new MemberRecord(id, transportId, address, gossipPort, httpPort, version, startTime, incarnation,
                site, rack, capabilities, newMetadata, revision + 1, now, RecordStatus.ALIVE, 0, protocolMin, protocolMax);
    }

    /**
     * The owner's answer to being marked departed or suspected while alive (a healed partition, a
     * refutation): a new incarnation, at least {@code atLeast}.
     */
    public MemberRecord reincarnated(long atLeast, long now) {
        return new MemberRecord(id, transportId, address, gossipPort, httpPort, version, startTime,
                Math.max(incarnation + 1, atLeast), site, rack, capabilities, metadata, revision + 1, now,
                RecordStatus.ALIVE, 0, protocolMin, protocolMax);
    }

    /** The owner's goodbye. */
    public MemberRecord leaving(long now) {
        return new MemberRecord(id, transportId, address, gossipPort, httpPort, version, startTime, incarnation,
                site, rack, capabilities, metadata, revision + 1, now, RecordStatus.LEAVING, 0, protocolMin,
                protocolMax);
    }

    /** The coordinator's mark: the member is gone from the view. */
    public MemberRecord departed(long now) {
        RecordStatus s = status == RecordStatus.LEAVING ? RecordStatus.LEFT : RecordStatus.FAILED;
        return new MemberRecord(id, transportId, address, gossipPort, httpPort, version, startTime, incarnation,
                site, rack, capabilities, metadata, revision, updatedAt, s, now, protocolMin, protocolMax);
    }
}
