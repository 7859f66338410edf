package io.sprawl.overlay.metrics;

/**
 * The names of a node's figures, as the REST API, the history and the shared snapshots use them.
 * Rates are per second; percentages 0-100; {@link #LOAD} is a fraction 0-1.
 */
public final class MetricNames {

    private MetricNames() {
    }

    /** The machine's CPU use, all cores, between two samples. */
    public static final String CPU = "cpu.percent";
    /** This JVM's share of the machine's CPU (user + kernel time over elapsed time x cores). */
    public static final String PROCESS_CPU = "process.cpu.percent";
    public static final String MEMORY_USED = "memory.used.bytes";
    public static final String MEMORY_TOTAL = "memory.total.bytes";
    /** This JVM's resident set. */
    public static final String PROCESS_MEMORY = "process.memory.bytes";
    /** The file system that holds the server's working directory. */
    public static final String DISK_USED = "disk.used.bytes";
    public static final String DISK_TOTAL = "disk.total.bytes";
    /** All physical disks. */
    public static final String DISK_READ_RATE = "disk.read.bytes-per-second";
    public static final String DISK_WRITE_RATE = "disk.write.bytes-per-second";
    /** All network interfaces but the local ones (loopback). */
    public static final String NET_RECEIVED_RATE = "network.received.bytes-per-second";
    public static final String NET_SENT_RATE = "network.sent.bytes-per-second";
    public static final String HEAP_USED = "jvm.heap.used.bytes";
    public static final String HEAP_MAX = "jvm.heap.max.bytes";
    /** Time spent in garbage collection per second of wall time. */
    public static final String GC_RATE = "jvm.gc.millis-per-second";

    /** Messages this node counted since start, and their rates (per second over the last 5 s, and EWMAs). */
    public static final String MESSAGES = "messages.total";
    public static final String MESSAGES_RATE = "messages.per-second";
    public static final String MESSAGES_1M = "messages.rate-1m";
    public static final String MESSAGES_5M = "messages.rate-5m";
    public static final String MESSAGES_15M = "messages.rate-15m";

    /** The node's load, 0-1: the machine's CPU use. What election and routing compare. */
    public static final String LOAD = "load";
    /** The load forecast {@code sprawl.metrics.forecast-horizon-seconds} ahead, and that forecast's mean absolute error. */
    public static final String LOAD_FORECAST = "load.forecast";
    public static final String LOAD_FORECAST_ERROR = "load.forecast.error";

    /** Custom metrics are named {@code custom.<name>}. */
    public static final String CUSTOM_PREFIX = "custom.";
}
