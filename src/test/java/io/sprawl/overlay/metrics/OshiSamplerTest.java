package io.sprawl.overlay.metrics;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Real readings of this machine through OSHI and the JVM: present, and sane. */
class OshiSamplerTest {

    @Test
    void readingsAreRealAndSane() throws InterruptedException {
        OshiSampler sampler = new OshiSampler();
        OshiSampler.Counters before = sampler.counters();
        long t0 = System.currentTimeMillis();
        sampler.sample(t0);
        busy(300); // some CPU to measure
        Thread.sleep(700);
        Map<String, Double> f = sampler.sample(System.currentTimeMillis());
        OshiSampler.Counters after = sampler.counters();

        double cpu = f.get(MetricNames.CPU);
        assertTrue(cpu >= 0 && cpu <= 100, "CPU " + cpu);
        double process = f.get(MetricNames.PROCESS_CPU);
        assertTrue(process > 0 && process <= 100, "this JVM was busy: " + process);

        double total = f.get(MetricNames.MEMORY_TOTAL);
        double used = f.get(MetricNames.MEMORY_USED);
        assertTrue(total > 100e6, "memory total " + total);
        assertTrue(used > 0 && used < total, "memory used " + used + " of " + total);
        double rss = f.get(MetricNames.PROCESS_MEMORY);
        assertTrue(rss > 10e6 && rss < total, "resident " + rss);

        assertNotNull(f.get(MetricNames.DISK_TOTAL), "the file system of the working directory: " + f.keySet());
        assertTrue(f.get(MetricNames.DISK_USED) >= 0 && f.get(MetricNames.DISK_USED) <= f.get(MetricNames.DISK_TOTAL));

        double heap = f.get(MetricNames.HEAP_USED);
        assertTrue(heap > 0 && heap <= f.get(MetricNames.HEAP_MAX), "heap " + heap);
        for (String rate : new String[] {MetricNames.DISK_READ_RATE, MetricNames.DISK_WRITE_RATE,
                MetricNames.NET_RECEIVED_RATE, MetricNames.NET_SENT_RATE, MetricNames.GC_RATE}) {
            assertTrue(f.get(rate) >= 0, rate + " " + f.get(rate));
        }
        assertTrue(f.get(MetricNames.GC_RATE) <= 1_000, "at most a second of GC per second");

        // Counters since boot only grow.
        assertTrue(after.netReceived() >= before.netReceived() && after.netSent() >= before.netSent(),
                before + " then " + after);
        assertTrue(after.diskRead() >= before.diskRead() && after.diskWritten() >= before.diskWritten(),
                before + " then " + after);
        assertTrue(after.processCpuMillis() > before.processCpuMillis(), before + " then " + after);
    }

    /** Spins for about {@code millis}: something for the process CPU figure to see. */
    private static void busy(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        assertTrue(x >= 0);
    }
}
