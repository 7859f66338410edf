/**
 * Which thread owns which state: the one place that says so for the whole node.
 *
 * <h2>Threads the core owns ({@link io.sprawl.overlay.threads.OwnedExecutors}: named, daemon, bounded)</h2>
 * <table>
 *   <caption>Each owned thread, what it runs and what it owns</caption>
 *   <tr><th>thread</th><th>runs</th><th>owns</th><th>queue</th></tr>
 *   <tr><td>{@code sprawl-election-<id>}</td>
 *       <td>every election check, write completion, step-down and hand-over</td>
 *       <td>{@code Leadership}'s election-thread fields (what it saw, the write in flight, the requests
 *           waiting for it), {@code TermGuard}'s view clock</td>
 *       <td>64 (a check is queued once at most)</td></tr>
 *   <tr><td>{@code sprawl-records-<id>}</td>
 *       <td>replicated writes of this node's record (refutations), the coordinator's departure marks,
 *           re-reads of every record after a topology change</td>
 *       <td>nothing but the order of those writes ({@code SelfRecord} guards the record itself)</td>
 *       <td>256</td></tr>
 *   <tr><td>{@code sprawl-detector-<id>}</td>
 *       <td>the failure detector's deadlines (ack timeouts, suspicion verdicts)</td>
 *       <td>nothing: the detector's state is under its monitor</td>
 *       <td>bounded by the detector: per peer one probe in flight and its two deadlines, and a verdict per
           confirmation of a suspicion (one per member); relays capped at 1,024</td></tr>
 *   <tr><td>{@code sprawl-process-check-<id>} ({@code cluster.ProcessCheck})</td>
 *       <td>a connection to a suspected peer's FD_SOCK2 port (is its process gone?)</td>
 *       <td>nothing</td><td>64</td></tr>
 *   <tr><td>{@code sprawl-exclude-<id>} ({@code cluster.ForkProbeTransport})</td>
 *       <td>a member whose process is proven gone, handed to JGroups' GMS (which, on the coordinator,
 *           installs the view on this thread)</td>
 *       <td>nothing</td><td>64</td></tr>
 *   <tr><td>{@code sprawl-membership-notifier-<id>}</td>
 *       <td>membership listeners, in event order (the CDI event for the SSE stream, election rechecks)</td>
 *       <td>nothing</td><td>4,096</td></tr>
 *   <tr><td>{@code sprawl-probe-rounds-<id>}, {@code sprawl-election-timer-<id>}, {@code sprawl-metrics-<id>},
 *       {@code sprawl-housekeeping-<id>} ({@code ee.NodeTimer}, one per timer bean)</td>
 *       <td>the node's ticks at a fixed delay: one tick calls the core and returns; a tick only queues what
 *           may wait on the network. Not the container's EJB timers, which stop when the server starts to
 *           quiesce, long before the node has left</td>
 *       <td>the bean's last-tick time</td><td>one tick at a time</td></tr>
 * </table>
 * A full queue drops the task and logs it at WARNING (the work is already far behind; the caller, often a
 * JGroups or Infinispan thread, must not fail for it).
 *
 * <h2>Threads that call in</h2>
 * <ul>
 *   <li><b>JGroups' delivery threads</b> (the probe fork channel, OOB): {@code FailureDetector.receive},
 *       under the detector's monitor, memory only; messages are sent after the monitor is released.</li>
 *   <li><b>Infinispan's listener threads</b> (synchronous listeners): {@code RecordReconciler} and the
 *       election's listeners update the member table (memory, under its monitor) or queue work on an
 *       owned thread, never block.</li>
 *   <li><b>Request threads</b> (JAX-RS, JMX): read immutable snapshots and volatiles; a write (metadata,
 *       messages) waits for its replication on the caller's thread, never on a listener's.</li>
 *   <li><b>The lifecycle thread</b> (the server's start and stop, {@code ee.OverlayNode}): start, leave and
 *       close, one at a time.</li>
 * </ul>
 *
 * <h2>Shared state and its guard</h2>
 * <ul>
 *   <li>The member table: {@code MembershipManager}'s monitor; readers take its immutable snapshot.</li>
 *   <li>The failure detector's peers, probes, rumors: its monitor. Lock order: detector, then table
 *       (the detector tells the table under its monitor; the table never calls back under its own).</li>
 *   <li>This node's record: {@code SelfRecord}'s lock, held across the cache write so revisions reach the
 *       cache in order.</li>
 *   <li>What the election shows ({@code Leadership.view}): one volatile, replaced whole.</li>
 *   <li>A started node's parts: one volatile in {@code GossipManager}, set at start and cleared at stop.</li>
 * </ul>
 */
package io.sprawl.overlay.threads;
