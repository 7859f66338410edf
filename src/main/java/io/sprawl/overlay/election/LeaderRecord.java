package io.sprawl.overlay.election;

import org.infinispan.protostream.annotations.Proto;
import org.infinispan.protostream.annotations.ProtoField;

/**
 * The cluster's leader record, the one value of the replicated leader cache. Only a conditional
 * write replaces it, each change of leader with the next term, so no two nodes ever hold one term.
 *
 * @param leader      the leader's id, empty for none
 * @param term        increases with every change of leader (also to none): by one, or past the highest term the
 *                    writer has seen where the record went back to a lower one (a merge kept a stale copy)
 * @param since       when the term began (the writer's clock, epoch ms)
 * @param renewedAt   the leader's last renewal of its lease (its clock, epoch ms); every renewal changes it
 * @param reason      why this term's leader was chosen, for the operators
 * @param released    the previous leader wrote this term itself (a hand-over): it had stopped acting
 * @param steppedDown a leader that stepped down in favour of this one, not chosen again during this term; or empty
 */
@Proto
public record LeaderRecord(
        @ProtoField(number = 1) String leader,
        @ProtoField(number = 2) long term,
        @ProtoField(number = 3) long since,
        @ProtoField(number = 4) long renewedAt,
        @ProtoField(number = 5) String reason,
        @ProtoField(number = 6) boolean released,
        @ProtoField(number = 7) String steppedDown) {

    /** How a lifted record's reason begins. */
    private static final String LIFTED = "term lifted past ";

    public LeaderRecord {
        leader = leader == null ? "" : leader;
        reason = reason == null ? "" : reason;
        steppedDown = steppedDown == null ? "" : steppedDown;
    }

    /** The first record a cluster ever has. */
    public static LeaderRecord first(String leader, long now, String reason) {
        return new LeaderRecord(leader, 1, now, now, reason, false, "");
    }

    /** The leader's id, or null for none. */
    public String leaderId() {
        return leader.isEmpty() ? null : leader;
    }

    /** The next term: {@code next} (null for none) leads from {@code now}. */
    public LeaderRecord next(String next, long now, String why, boolean handOver, String stepped) {
        return new LeaderRecord(next, term + 1, now, now, why, handOver, stepped);
    }

    /** This record, its term moved past {@code seen} if it is not already: never a term this writer has seen. */
    public LeaderRecord above(long seen) {
        return term > seen ? this : new LeaderRecord(leader, seen + 1, since, renewedAt, reason, released, steppedDown);
    }

    /**
     * The same leader in a term past {@code seen}: a stale copy kept by a merge, moved on. Its tenure ({@code since})
     * goes on; the reason says so once.
     */
    public LeaderRecord lifted(long seen) {
        String why = reason.startsWith(LIFTED) ? reason.substring(reason.indexOf(": ") + 2) : reason;
        return new LeaderRecord(leader, seen + 1, since, renewedAt, LIFTED + seen + " (a stale copy of the record was"
                + " kept): " + why, released, steppedDown);
    }

    /** The same term renewed; the time always moves forward so every renewal is a new value. */
    public LeaderRecord renewed(long now) {
        return new LeaderRecord(leader, term, since, Math.max(now, renewedAt + 1), reason, released, steppedDown);
    }
}
