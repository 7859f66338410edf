package io.sprawl.overlay.ee;

/** JMX {@code io.sprawl.overlay:type=Leader}: the leader this node shows, and stepping down. */
public interface LeaderMXBean {

    /** The leader's id, or empty for none (a side without the majority, or before the first election). */
    String getLeader();

    long getTerm();

    long getSince();

    String getReason();

    /** This node leads and holds its lease now (attribute {@code Leading}: {@code Leader} is the leader's id). */
    boolean isLeading();

    /** This node's side holds the majority of the last agreed membership. */
    boolean isMajority();

    /** Sent to the leader: hands over to the best other eligible member; says what happened. */
    String stepDown() throws InterruptedException;

    /**
     * Sent to a survivor of a majority lost to crashes: {@code lost} (comma-separated ids) are confirmed gone for
     * good, and this side is made available and elects. Refused while a majority is reachable, or unless the ids
     * are exactly the last agreed membership's members missing from this side; says what happened.
     */
    String recoverMajority(String lost) throws InterruptedException;
}
