package io.sprawl.overlay.election;

import java.util.concurrent.CompletionStage;

/**
 * Where the leader record lives: in a server, a replicated Infinispan cache that denies reads and
 * writes on a side without a majority ({@link CacheLeaderStore}); in tests, a map.
 */
public interface LeaderStore {

    /**
     * Whether this side holds a strict majority of the last agreed membership, and so may read and write (in a
     * server: Infinispan's verdict, and this node's view holding such a majority until Infinispan has made it).
     */
    boolean available();

    /** The record as this node holds it (the last one seen while unavailable), or null if none was ever written. */
    LeaderRecord read();

    /**
     * Writes {@code next} if the record is still {@code expected} (null: absent). Completes with
     * whether it did; exceptionally when the write could not be done (no majority, a timeout).
     */
    CompletionStage<Boolean> compareAndSet(LeaderRecord expected, LeaderRecord next);

    /**
     * Writes {@code next} if the record, as the key's owner holds it, still names {@code expected}'s leader in
     * {@code expected}'s term, whenever that leader last renewed. Only for a claim over a leader whose process is
     * proven gone: a renewal it began before it died may have reached some copies of the record and not others,
     * and it renews no more. Completes as {@link #compareAndSet}.
     */
    CompletionStage<Boolean> replaceTerm(LeaderRecord expected, LeaderRecord next);

    /**
     * Makes the members' copies of the record one, when they are found to differ: the copy every conditional write is
     * decided against (the key's primary owner's) wins. Blocks until done; returns what was done, for the log.
     */
    String reconcile();

    /**
     * Who holds the copy every conditional write is decided against (the key's primary owner), for the log: a
     * write that finds it gone waits for the next topology. Empty when not known.
     */
    default String owner() {
        return "";
    }
}
