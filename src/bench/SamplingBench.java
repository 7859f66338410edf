import io.sprawl.overlay.config.MetricsConfig;
import io.sprawl.overlay.metrics.History;
import io.sprawl.overlay.metrics.MetricsManager;
import io.sprawl.overlay.metrics.OshiSampler;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process figures of the metrics manager (src/bench/metrics-bench.sh):
 *  - one OSHI sample of this machine (what the sampling timer does each second): its time;
 *  - the heap that the histories hold once both windows are full (25 simulated hours of 1 s samples
 *    of every figure a node records, plus custom metrics), measured as the heap retained after GC.
 */
public final class SamplingBench {

    public static void main(String[] args) throws Exception {
        int samples = Integer.parseInt(args[0]);
        int custom = Integer.parseInt(args[1]);
        List<String> report = new ArrayList<>();
        report.add(sampleTime(samples));
        report.add(historyHeap(custom));
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    /** The time of one OshiSampler.sample() (us), after the first (which loads OSHI's bindings). */
    static String sampleTime(int n) throws InterruptedException {
        long t0 = System.nanoTime();
        OshiSampler sampler = new OshiSampler();
        sampler.sample(System.currentTimeMillis());
        long first = (System.nanoTime() - t0) / 1_000_000;
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread.sleep(200); // a fresh CPU tick interval, as the timer would see
            long s = System.nanoTime();
            sampler.sample(System.currentTimeMillis());
            micros.add((System.nanoTime() - s) / 1_000);
        }
        return Bench.row("one OSHI sample (us; first " + first + " ms)", micros);
    }

    /** Heap retained by a metrics manager whose histories are full. */
    static String historyHeap(int custom) {
        long before = usedAfterGc();
        long[] now = {1_700_000_000_000L};
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now[0]);
            }

            @Override
            public long millis() {
                return now[0];
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        // The figures a Linux node records: what OshiSampler returns here, with varying values.
        Map<String, Double> figures = new OshiSampler().sample(now[0]);
        MetricsManager m = new MetricsManager("bench", MetricsConfig.defaults(), clock, () -> t -> {
            Map<String, Double> out = new HashMap<>();
            figures.keySet().forEach(k -> out.put(k, Math.random() * 100));
            out.put("cpu.percent", Math.random() * 100);
            return out;
        });
        for (int c = 0; c < custom; c++) {
            m.custom().set("bench-" + c, 1);
        }
        long steps = (History.COARSE_POINTS + 60) * 60L; // a day and an hour of 1 s steps: both rings full
        for (long s = 0; s < steps; s++) {
            now[0] += 1_000;
            m.sample();
        }
        long after = usedAfterGc();
        int metrics = m.names().size();
        long total = after - before;
        // What the rings' arrays take by construction: per point a long and three doubles and an int, both tiers.
        long arrays = (long) (History.FINE_POINTS + History.COARSE_POINTS) * (8 + 8 + 8 + 8 + 4);
        String line = String.format("%-44s %3d   %.1f MB retained after GC for %d metrics (%d custom): %.1f KB per"
                + " metric (the rings' arrays: %.1f KB)", "heap of full histories (25 simulated h)", 1, total / 1e6,
                metrics, custom, total / 1e3 / metrics, arrays / 1e3);
        if (m.current().time() == 0) {
            throw new IllegalStateException("nothing sampled"); // keeps m reachable until measured
        }
        return line;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
