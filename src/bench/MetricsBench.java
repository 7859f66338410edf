import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of observing, on 9 real Liberty servers (src/bench/metrics-bench.sh):
 *  - CPU per node (percent of one core, utime + stime from /proc) over idle windows, with the metrics
 *    sampled every second and shared every 2 s, and again with sprawl.metrics.enabled=false;
 *  - a Prometheus scrape of /metrics on each node: its time and its size.
 * The in-process figures (one OSHI sample, the heap of full histories) are SamplingBench's.
 */
public final class MetricsBench {

    static final int N = 9;
    static final long WINDOW_MS = 20_000;
    static final int SCRAPES_PER_NODE = 30;

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int windows = Integer.parseInt(args[1]);
        List<String> report = new ArrayList<>();
        try {
            Bench.launcher("stop");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N);
            Thread.sleep(20_000); // let the start settle (a node still compiling its code reads as busy)
            report.addAll(scrapes());
            report.add(cpu("CPU, sampling every 1 s", windows));
            Bench.launcher("stop");
            Bench.settings.put("SPRAWL_METRICS_ENABLED", "false");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N + " without metrics");
            Thread.sleep(20_000);
            report.add(cpu("CPU, sampling off", windows));
        } finally {
            Bench.launcher("stop");
        }
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    /** Each node scraped SCRAPES_PER_NODE times in turn: the time of each scrape (ms) and its size (bytes). */
    static List<String> scrapes() throws Exception {
        List<Long> micros = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int k = 0; k < SCRAPES_PER_NODE; k++) {
            for (int i = 0; i < N; i++) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = Bench.HTTP.send(HttpRequest.newBuilder(Bench.uri(i, "/metrics"))
                        .timeout(java.time.Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                long took = (System.nanoTime() - t0) / 1_000;
                Bench.check(r.statusCode() == 200, "scrape of node" + i + ": " + r.statusCode());
                micros.add(took);
                sizes.add((long) r.body().length);
            }
        }
        String text = Bench.get(0, "/metrics");
        long samples = text.lines().filter(l -> !l.startsWith("#")).count();
        long sprawlSamples = text.lines().filter(l -> l.startsWith("sprawl_")).count();
        long sprawlBytes = text.lines().filter(l -> l.contains("sprawl_")).mapToLong(l -> l.length() + 1).sum();
        return List.of(
                Bench.row("/metrics scrape time (us)", micros),
                Bench.row("/metrics size (bytes, whole scrape)", sizes),
                String.format("%-44s %3d   %d samples, %d of them sprawl_* (%d bytes with their HELP and TYPE)",
                        "/metrics content, node0", 1, samples, sprawlSamples, sprawlBytes));
    }

    /** CPU per node (percent of one core) over {@code windows} idle windows; median and max per window. */
    static String cpu(String name, int windows) throws Exception {
        List<Long> permille = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            long[] ticks0 = new long[N];
            for (int i = 0; i < N; i++) {
                ticks0[i] = Bench.cpuTicks(i);
            }
            long t0 = System.nanoTime();
            Thread.sleep(WINDOW_MS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Long> window = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                double cpuSeconds = (Bench.cpuTicks(i) - ticks0[i]) / (double) Bench.TICKS_PER_SECOND;
                window.add(Math.round(cpuSeconds / seconds * 1000));
            }
            System.out.println(name + ", window " + (w + 1) + ", per node (per mille of a core): " + window);
            permille.addAll(window);
        }
        String line = String.format("%-44s %3d   CPU per node, %% of a core (%d windows of %d s): %s", name,
                permille.size(), windows, WINDOW_MS / 1000, Bench.percent(permille));
        System.out.println(line);
        return line;
    }
}
