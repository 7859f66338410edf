package io.sprawl.overlay.failure;

/**
 * How the failure detector reaches other members. The cluster package implements it over a JGroups
 * fork channel; tests may wrap it to drop messages. Sends never block for long and never throw for an
 * unreachable member: a probe to a dead node is simply not answered.
 */
public interface ProbeTransport {

    /** Sends to one member by node id; silently nothing when the member is not in the view. */
    void send(String nodeId, byte[] message);

    /** Sends to every other member of the view. */
    void broadcast(byte[] message);

    /** Asks the transport to verify that the member is gone and, if so, to exclude it from the view. */
    void exclude(String nodeId);

    /**
     * Asks the transport to exclude a member whose process is proven gone ({@link FailureDetector#provenGone}:
     * its process exited), without verifying again: a check that it is silent would only wait out its timeout.
     */
    void excludeExited(String nodeId);

    /**
     * Checks, off the caller's thread, whether the member's process is gone (a refused connection to
     * its failure-detection port: nothing listens there). Calls {@code ifGone} with the evidence only
     * where a refusal is sound proof (the transport says where); a timeout, a firewall or a paused process
     * that still holds its port is no evidence.
     */
    void checkProcess(String nodeId, java.util.function.Consumer<String> ifGone);
}
