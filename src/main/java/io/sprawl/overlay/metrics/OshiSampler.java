package io.sprawl.overlay.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * The machine through OSHI (CPU, memory, disk, network, this process) and the JVM through its
 * management beans (heap, GC). Rates are the difference of OSHI's counters between two samples.
 *
 * <p>Not thread-safe: owned by the sampling thread. The first read takes ~0.6 s (OSHI loads its
 * native bindings), later ones a few milliseconds.
 */
public final class OshiSampler implements Sampler {

    /** Counters that only grow (bytes since boot), for rates and for tests. */
    public record Counters(long diskRead, long diskWritten, long netReceived, long netSent, long gcMillis,
            long processCpuMillis) {
    }

    private final CentralProcessor cpu;
    private final HardwareAbstractionLayer hardware;
    private final OperatingSystem os;
    private final List<HWDiskStore> disks;
    private final List<NetworkIF> interfaces;
    private final OSFileStore store;
    private final int pid;
    private final int cores;

    private long[] previousTicks;
    private Counters previous;
    private long previousAt;

    public OshiSampler() {
        SystemInfo si = new SystemInfo();
        hardware = si.getHardware();
        os = si.getOperatingSystem();
        cpu = hardware.getProcessor();
        cores = Math.max(1, cpu.getLogicalProcessorCount());
        disks = hardware.getDiskStores();
        interfaces = hardware.getNetworkIFs(false);
        store = storeOf(os.getFileSystem().getFileStores(true), Path.of("").toAbsolutePath().toString());
        pid = (int) ProcessHandle.current().pid();
        previousTicks = cpu.getSystemCpuLoadTicks();
    }

    /** The file store whose mount point is the longest prefix of {@code dir}: where the node writes. */
    private static OSFileStore storeOf(List<OSFileStore> stores, String dir) {
        OSFileStore best = null;
        for (OSFileStore s : stores) {
            String mount = s.getMount();
            if (dir.startsWith(mount) && (best == null || mount.length() > best.getMount().length())) {
                best = s;
            }
        }
        return best;
    }

    @Override
    public Map<String, Double> sample(long now) {
        Map<String, Double> out = new HashMap<>();
        long[] ticks = cpu.getSystemCpuLoadTicks();
        out.put(MetricNames.CPU, 100 * cpu.getSystemCpuLoadBetweenTicks(previousTicks));
        previousTicks = ticks;

        long total = hardware.getMemory().getTotal();
        out.put(MetricNames.MEMORY_TOTAL, (double) total);
        out.put(MetricNames.MEMORY_USED, (double) (total - hardware.getMemory().getAvailable()));

        OSProcess self = os.getProcess(pid);
        if (self != null) {
            out.put(MetricNames.PROCESS_MEMORY, (double) self.getResidentMemory());
        }
        if (store != null && store.updateAttributes()) {
            out.put(MetricNames.DISK_TOTAL, (double) store.getTotalSpace());
            out.put(MetricNames.DISK_USED, (double) (store.getTotalSpace() - store.getUsableSpace()));
        }

        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        out.put(MetricNames.HEAP_USED, (double) heap.getUsed());
        out.put(MetricNames.HEAP_MAX, (double) (heap.getMax() > 0 ? heap.getMax() : heap.getCommitted()));

        Counters c = counters(self);
        if (previous != null && now > previousAt) {
            double seconds = (now - previousAt) / 1000.0;
            out.put(MetricNames.DISK_READ_RATE, rate(c.diskRead, previous.diskRead, seconds));
            out.put(MetricNames.DISK_WRITE_RATE, rate(c.diskWritten, previous.diskWritten, seconds));
            out.put(MetricNames.NET_RECEIVED_RATE, rate(c.netReceived, previous.netReceived, seconds));
            out.put(MetricNames.NET_SENT_RATE, rate(c.netSent, previous.netSent, seconds));
            out.put(MetricNames.GC_RATE, rate(c.gcMillis, previous.gcMillis, seconds));
            if (self != null) {
                out.put(MetricNames.PROCESS_CPU, Math.min(100,
                        100 * rate(c.processCpuMillis, previous.processCpuMillis, seconds) / 1000 / cores));
            }
        }
        previous = c;
        previousAt = now;
        return out;
    }

    /** The growing counters now (each read refreshes OSHI's attributes). */
    public Counters counters() {
        return counters(os.getProcess(pid));
    }

    private Counters counters(OSProcess self) {
        long read = 0;
        long written = 0;
        for (HWDiskStore d : disks) {
            d.updateAttributes();
            read += d.getReadBytes();
            written += d.getWriteBytes();
        }
        long received = 0;
        long sent = 0;
        for (NetworkIF n : interfaces) {
            n.updateAttributes();
            received += n.getBytesRecv();
            sent += n.getBytesSent();
        }
        long gc = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, b.getCollectionTime());
        }
        long cpuMillis = self == null ? 0 : self.getKernelTime() + self.getUserTime();
        return new Counters(read, written, received, sent, gc, cpuMillis);
    }

    /** A counter's rate; a counter that went backwards (an interface reset) reads as 0, not negative. */
    private static double rate(long now, long before, double seconds) {
        return Math.max(0, now - before) / seconds;
    }
}
