package io.sprawl.overlay.ee;

import java.util.List;
import java.util.Map;

/** JMX {@code io.sprawl.overlay:type=FailureDetector}: probe counters, round trips, and probing by hand. */
public interface FailureDetectorMXBean {

    long getIncarnation();

    /** Local health score: 0 healthy; higher means this node is the slow one and lengthens its timeouts. */
    int getAwareness();

    long getPingsSent();

    long getIndirectProbesSent();

    long getAcksReceived();

    long getSuspicions();

    long getRefutations();

    long getFailures();

    long getMalformedDropped();

    /** Probe messages and rumors dropped as forged (sender not the member named, implausible incarnation). */
    long getForgedDropped();

    /** Indirect probe requests refused because 1,024 were running (a member flooding this node with them). */
    long getRelaysRefused();

    /** Each probed peer's smoothed round trip in ms (-1 until measured). */
    Map<String, Double> getRttEwmaMillis();

    /** Each probed peer's p99 round trip in ms (-1 until measured). */
    Map<String, Double> getRttP99Millis();

    List<String> getFailedNodes();

    /** Probes the node now and waits for its direct ack (up to 2 s); says what came back. */
    String probeNow(String node) throws InterruptedException;

    /** Stops this node's probe rounds for {@code millis} (a drill: liveness goes DOWN after 10 s, peers suspect it). */
    String pauseProbeTimer(long millis);
}
