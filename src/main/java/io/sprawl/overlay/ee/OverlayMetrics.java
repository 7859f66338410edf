package io.sprawl.overlay.ee;

import io.sprawl.overlay.node.GossipManager;
import io.sprawl.overlay.failure.DetectorObserver;
import io.sprawl.overlay.failure.FailureDetector;
import io.sprawl.overlay.election.Leadership;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.metrics.MetricNames;
import io.sprawl.overlay.metrics.MetricsManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The node's MicroProfile Metrics, {@code sprawl_*} in the application registry, served at
 * {@code /metrics} as Prometheus text. Gauges read the core when scraped; counters and histograms are
 * follow the failure detector's own counts (brought up to them every second) and the message count; the
 * histograms are fed event by event ({@link DetectorObserver}). The runtime appends the unit to each name
 * ({@code sprawl_cpu_percent}, {@code sprawl_memory_used_bytes}, {@code sprawl_probes_total}).
 *
 * <p>Threads: registered once by the node at start; the registry is thread-safe, and custom metrics
 * are added by the sampling timer as they appear.
 */
@ApplicationScoped
public class OverlayMetrics {

    /** A figure of the metrics manager exposed as a gauge: its MP name, unit and help text. */
    record Figure(String figure, String name, String unit, String help) {
    }

    /** The machine, the JVM and the load, as sampled each step (the values of {@code /overlay/health/metrics}). */
    static final Figure[] FIGURES = {
        new Figure(MetricNames.CPU, "sprawl_cpu", MetricUnits.PERCENT, "CPU use of the whole machine, all cores"),
        new Figure(MetricNames.PROCESS_CPU, "sprawl_process_cpu", MetricUnits.PERCENT,
                "CPU use of this server's JVM, as a share of the whole machine"),
        new Figure(MetricNames.MEMORY_USED, "sprawl_memory_used", MetricUnits.BYTES, "Machine memory in use (total - available)"),
        new Figure(MetricNames.MEMORY_TOTAL, "sprawl_memory_total", MetricUnits.BYTES, "Machine memory, total"),
        new Figure(MetricNames.PROCESS_MEMORY, "sprawl_process_memory", MetricUnits.BYTES, "Resident memory of this JVM"),
        new Figure(MetricNames.DISK_USED, "sprawl_disk_used", MetricUnits.BYTES,
                "Used space of the file system holding the server's directory"),
        new Figure(MetricNames.DISK_TOTAL, "sprawl_disk_total", MetricUnits.BYTES,
                "Size of the file system holding the server's directory"),
        new Figure(MetricNames.DISK_READ_RATE, "sprawl_disk_read", "bytes_per_second", "Bytes read from all disks per second"),
        new Figure(MetricNames.DISK_WRITE_RATE, "sprawl_disk_write", "bytes_per_second", "Bytes written to all disks per second"),
        new Figure(MetricNames.NET_RECEIVED_RATE, "sprawl_network_received", "bytes_per_second",
                "Bytes received per second on all network interfaces but loopback"),
        new Figure(MetricNames.NET_SENT_RATE, "sprawl_network_sent", "bytes_per_second",
                "Bytes sent per second on all network interfaces but loopback"),
        new Figure(MetricNames.HEAP_USED, "sprawl_jvm_heap_used", MetricUnits.BYTES, "JVM heap in use"),
        new Figure(MetricNames.HEAP_MAX, "sprawl_jvm_heap_max", MetricUnits.BYTES, "JVM heap limit"),
        new Figure(MetricNames.GC_RATE, "sprawl_jvm_gc_time", "milliseconds_per_second",
                "Garbage collection time per second of wall time"),
        new Figure(MetricNames.MESSAGES_RATE, "sprawl_message_rate", MetricUnits.PER_SECOND,
                "Messages counted by this node per second, over the last 5 s"),
        new Figure(MetricNames.MESSAGES_1M, "sprawl_message_rate_1m", MetricUnits.PER_SECOND,
                "Messages per second, 1-minute moving average"),
        new Figure(MetricNames.MESSAGES_5M, "sprawl_message_rate_5m", MetricUnits.PER_SECOND,
                "Messages per second, 5-minute moving average"),
        new Figure(MetricNames.MESSAGES_15M, "sprawl_message_rate_15m", MetricUnits.PER_SECOND,
                "Messages per second, 15-minute moving average"),
        new Figure(MetricNames.LOAD, "sprawl_load", MetricUnits.NONE,
                "This node's load, 0-1 (the machine's CPU use): what election and routing compare"),
        new Figure(MetricNames.LOAD_FORECAST, "sprawl_load_forecast", MetricUnits.NONE,
                "The load forecast sprawl.metrics.forecast-horizon-seconds ahead (Holt's linear trend)"),
        new Figure(MetricNames.LOAD_FORECAST_ERROR, "sprawl_load_forecast_error", MetricUnits.NONE,
                "Mean absolute error of the load forecasts that came due"),
    };

    @Inject
    MetricRegistry registry;

    private final Set<String> customRegistered = ConcurrentHashMap.newKeySet();
    private volatile MetricsManager metrics;
    // The detector's counters, and the counts they were last brought up to; guarded by this.
    private Counter probes;
    private Counter indirect;
    private Counter suspicions;
    private Counter refutations;
    private Counter failures;
    private FailureDetector.Stats synced;

    /** Registers every metric of this node; the node calls this once it has joined. */
    synchronized void register(GossipManager g) {
        metrics = g.metrics();
        for (MemberState s : MemberState.values()) {
            gauge("sprawl_members", MetricUnits.NONE, "Members in this node's table, by state", g,
                    x -> x.membership().snapshot().count(s), new Tag("state", s.name()));
        }
        gauge("sprawl_leader_term", MetricUnits.NONE, "Term of the leader record this node knows (0 before the first)",
                g, x -> x.leadership().map(Leadership::term).orElse(0L));
        gauge("sprawl_leader_is_leader", MetricUnits.NONE, "1 when this node leads and holds its lease, else 0",
                g, x -> x.leadership().map(l -> l.isLeader() ? 1 : 0).orElse(0));
        gauge("sprawl_leader_majority", MetricUnits.NONE,
                "1 when this node's side holds the majority of the last agreed membership, else 0",
                g, x -> x.leadership().map(l -> l.inMajority() ? 1 : 0).orElse(0));
        gauge("sprawl_detector_awareness", MetricUnits.NONE,
                "The failure detector's local health score (0 healthy; higher: this node is the slow one)",
                g, x -> x.detector().map(d -> d.stats().awareness()).orElse(0));
        gauge("sprawl_detector_pause_allowance", MetricUnits.MILLISECONDS,
                "What this node asks the others to add to its suspicion timeout: its longest own pause of the last"
                        + " 10 minutes, capped (sprawl.suspicion.pause-allowance-max-ms)",
                g, x -> x.detector().map(d -> d.stats().pauseAllowanceMillis()).orElse(0L));
        gauge("sprawl_protocol_refused", MetricUnits.NONE,
                "Joins and merges this node refused since start because the other node's protocol range meets none"
                        + " of this node's", g, x -> x.transport().protocol().refused());
        gauge("sprawl_cluster_plaintext", MetricUnits.NONE,
                "1 when cluster traffic runs plaintext (sprawl.cluster.security=plaintext), 0 under mutual TLS", g,
                n -> n.tls().isPresent() ? 0 : 1);
        g.tls().ifPresent(t -> {
            gauge("sprawl_tls_handshakes_refused", MetricUnits.NONE,
                    "Cluster connections refused at the TLS handshake since start (garbage, no TLS, untrusted or expired"
                            + " certificates)", t, x -> x.status().handshakesRefused());
            gauge("sprawl_tls_certificate_expiry", MetricUnits.SECONDS,
                    "Seconds until this node's cluster certificate expires (negative: expired)", t,
                    x -> (x.status().notAfter() - System.currentTimeMillis()) / 1000);
            gauge("sprawl_tls_reloads", MetricUnits.NONE, "Cluster certificates taken at a reload since start", t,
                    x -> x.status().reloads());
        });
        gauge("sprawl_probe_forged_dropped", MetricUnits.NONE,
                "Probe messages and rumors dropped as forged (sender not the member named, implausible incarnation)", g,
                n -> n.detector().map(d -> d.stats().forgedDropped()).orElse(0L));
        gauge("sprawl_messages_cluster", MetricUnits.NONE, "Messages counted by every live member, as last published",
                g, x -> x.messages().clusterTotal());
        for (Figure f : FIGURES) {
            gauge(f.name(), f.unit(), f.help(), g.metrics(), m -> m.figure(f.figure()));
        }

        probes = counter("sprawl_probes", "Direct probes (pings) this node sent");
        indirect = counter("sprawl_indirect_probes", "Indirect probe requests this node sent for missed acks");
        suspicions = counter("sprawl_suspicions", "Suspicions this node started or heard of");
        refutations = counter("sprawl_refutations", "Suspicions of this node it refuted");
        failures = counter("sprawl_failures", "Peers this node declared FAILED");
        Histogram rtt = registry.histogram(Metadata.builder().withName("sprawl_probe_rtt")
                .withDescription("Round trip of direct probes, ping to ack").withUnit(MetricUnits.MILLISECONDS).build());
        Histogram detection = registry.histogram(Metadata.builder().withName("sprawl_detection_time")
                .withDescription("From the last ack of a peer to this node's FAILED verdict on it")
                .withUnit(MetricUnits.MILLISECONDS).build());
        g.detector().ifPresent(d -> d.observe(new DetectorObserver() {
            @Override
            public void roundTrip(long millis) {
                rtt.update(millis);
            }

            @Override
            public void failed(long detectionMillis) {
                if (detectionMillis >= 0) {
                    detection.update(detectionMillis);
                }
            }
        }));
        syncDetector(g);
        Counter messages = counter("sprawl_messages", "Messages counted by this node since start");
        messages.inc(g.messages().local());
        g.metrics().onMessages(messages::inc);
        registerCustom();
    }

    /**
     * Brings the detector's counters up to its own counts ({@link FailureDetector#stats}, the one place they
     * are kept; MicroProfile counters can only be incremented): the housekeeping timer calls this every second.
     */
    synchronized void syncDetector(GossipManager g) {
        FailureDetector.Stats s = g.detector().map(FailureDetector::stats).orElse(null);
        if (s == null || probes == null) {
            return;
        }
        FailureDetector.Stats last = synced;
        probes.inc(delta(s.pingsSent(), last == null ? 0 : last.pingsSent()));
        indirect.inc(delta(s.indirectProbesSent(), last == null ? 0 : last.indirectProbesSent()));
        suspicions.inc(delta(s.suspicions(), last == null ? 0 : last.suspicions()));
        refutations.inc(delta(s.refutations(), last == null ? 0 : last.refutations()));
        failures.inc(delta(s.failures(), last == null ? 0 : last.failures()));
        synced = s;
    }

    /** A counter only grows (a detector's counts restart only with the process, and so does the registry). */
    private static long delta(long now, long before) {
        return Math.max(0, now - before);
    }

    /** Adds a gauge {@code sprawl_custom{name=...}} for each custom metric not yet registered: the sampling timer calls this. */
    void registerCustom() {
        MetricsManager m = metrics;
        if (m == null) {
            return;
        }
        for (String name : m.custom().all().keySet()) {
            if (customRegistered.add(name)) {
                gauge("sprawl_custom", MetricUnits.NONE, "Custom application metrics, by name (counters and gauges)",
                        m, x -> {
                            var v = x.custom().get(name);
                            return v == null ? 0.0 : v.value();
                        }, new Tag("name", name));
            }
        }
    }

    private <T> void gauge(String name, String unit, String help, T source, Function<T, Number> f, Tag... tags) {
        registry.gauge(Metadata.builder().withName(name).withDescription(help).withUnit(unit).build(), source,
                x -> f.apply(x).doubleValue(), tags);
    }

    private Counter counter(String name, String help) {
        return registry.counter(Metadata.builder().withName(name).withDescription(help).build());
    }
}
