package io.sprawl.overlay.ee;

import java.util.Map;

/** JMX {@code io.sprawl.overlay:type=Membership}: this node's member table, and joining or leaving. */
public interface MembershipMXBean {

    String getSelf();

    long getViewId();

    boolean isJoined();

    boolean isCoordinator();

    /** Members in the table by state ({@code HEALTHY}, {@code SUSPECT}, {@code FAILED}, {@code LEFT}). */
    Map<String, Integer> getCountsByState();

    int getHealthyCount();

    int getSuspectCount();

    int getFailedCount();

    /** Each member's id and state. */
    Map<String, String> getMembers();

    long getMessageCount();

    long getClusterMessageCount();

    /** Says goodbye and leaves the cluster (others show this node LEFT); the server keeps running. */
    void leave();

    /**
     * Joins the cluster of these seeds ({@code host:port,...}), merging with it; returns whether a seed
     * is in this node's view within {@code sprawl.join.timeout-ms} x 5.
     */
    boolean joinSeeds(String seeds) throws Exception;
}
