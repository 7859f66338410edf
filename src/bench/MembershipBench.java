import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Membership propagation on real Liberty servers, started by server-config/local-cluster.sh on the
 * benchmark's own ports. Run through src/bench/membership-bench.sh. For each cluster size N, each repeat:
 *
 *  - crash: SIGKILL node N-1; per survivor, its FAILED event time minus the kill instant;
 *  - join: with N-1 nodes up, start node N-1 again (a new process, a new incarnation); per existing
 *    node, the time its table shows the newcomer HEALTHY minus the newcomer's publishing of its record
 *    (the record's updatedAt: the instant it joins the overlay, once its transport is in the view);
 *  - metadata: node0 changes its metadata; per other node, when it applied the new record (seenAt)
 *    minus node0's write (updatedAt).
 *
 * Every figure comes from timestamps the nodes themselves record (one machine, one clock), not from
 * how fast this program polls. Medians and p99 over all samples; every wait is bounded.
 */
public class MembershipBench {

    static final int HTTP_BASE = 19080;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final Pattern EVENT = Pattern.compile("\\{[^{}]*\\}");

    static Path root;
    static Path dir;

    public static void main(String[] args) throws Exception {
        root = Path.of(args[0]).toAbsolutePath();
        int repeats = Integer.parseInt(args[1]);
        dir = root.resolve("target/bench-cluster");
        List<String> report = new ArrayList<>();
        try {
            for (int i = 2; i < args.length; i++) {
                report.addAll(run(Integer.parseInt(args[i]), repeats));
            }
        } finally {
            launcher("stop");
        }
        System.out.println();
        System.out.println("figure                               n   median      p99      max   (ms)");
        report.forEach(System.out::println);
    }

    static List<String> run(int n, int repeats) throws Exception {
        System.out.println("== N=" + n + ": starting " + n + " nodes");
        launcher("stop");
        check(launcher("start", Integer.toString(n)) == 0, "start " + n);
        List<Long> crash = new ArrayList<>();
        List<Long> crashAll = new ArrayList<>();
        List<Long> join = new ArrayList<>();
        List<Long> meta = new ArrayList<>();
        String victim = "node" + (n - 1);
        for (int r = 1; r <= repeats; r++) {
            // crash
            long pid = Long.parseLong(Files.readString(dir.resolve(victim + ".pid")).trim());
            long killedAt = System.currentTimeMillis();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long worst = 0;
            for (int i = 0; i < n - 1; i++) {
                long t = awaitEvent(i, victim, "FAILED", killedAt, 30_000) - killedAt;
                crash.add(t);
                worst = Math.max(worst, t);
            }
            crashAll.add(worst);
            // join
            check(launcher("start", Integer.toString(n)) == 0, "restart " + victim);
            long published = number(get(n - 1, "/overlay/api/members/" + victim), "updatedAt");
            for (int i = 0; i < n - 1; i++) {
                join.add(awaitEvent(i, victim, "HEALTHY", published - 1, 30_000) - published);
            }
            // metadata
            String value = "r" + r + "-" + System.nanoTime();
            Thread.sleep(1_000); // let the join's aftermath (state transfer, readiness polls) settle first
            String self = put(0, "/overlay/api/members/node0/metadata", "{\"bench\":\"" + value + "\"}");
            long written = number(self, "updatedAt");
            for (int i = 1; i < n; i++) {
                meta.add(awaitMetadata(i, value, 10_000) - written);
            }
            System.out.printf("N=%d repeat %d: crash worst %d ms, join %s ms, metadata %s ms%n", n, r, worst,
                    join.subList(join.size() - (n - 1), join.size()), meta.subList(meta.size() - (n - 1), meta.size()));
        }
        return List.of(
                row("N=" + n + " join propagation", join),
                row("N=" + n + " metadata propagation", meta),
                row("N=" + n + " crash -> FAILED, each survivor", crash),
                row("N=" + n + " crash -> FAILED, all survivors", crashAll));
    }

    static String row(String name, List<Long> samples) {
        List<Long> s = new ArrayList<>(samples);
        Collections.sort(s);
        long median = s.get((s.size() - 1) / 2);
        long p99 = s.get((int) Math.ceil(0.99 * s.size()) - 1);
        return String.format("%-35s %3d %8d %8d %8d", name, s.size(), median, p99, s.get(s.size() - 1));
    }

    /** The time of the first event on node i about {@code who} going to {@code to} at or after {@code after}. */
    static long awaitEvent(int i, String who, String to, long after, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            String body = get(i, "/overlay/api/events");
            Matcher m = EVENT.matcher(body);
            while (m.find()) {
                String e = m.group();
                if (e.contains("\"node\":\"" + who + "\"") && e.contains("\"to\":\"" + to + "\"")) {
                    long t = number(e, "time");
                    if (t >= after) {
                        return t;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("node" + i + " did not show " + who + " " + to + " in " + timeoutMillis + " ms");
    }

    /**
     * When node i applied node0's record carrying this metadata value (its seenAt). Asks first after a
     * pause, so the asking does not load the machine while the update propagates.
     */
    static long awaitMetadata(int i, String value, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Thread.sleep(300);
        while (System.currentTimeMillis() < deadline) {
            String m = get(i, "/overlay/api/members/node0");
            if (m.contains("\"bench\":\"" + value + "\"")) {
                return number(m, "seenAt");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node" + i + " did not see node0's metadata in " + timeoutMillis + " ms");
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        check(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    static String get(int node, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (HTTP_BASE + node) + path)).GET());
    }

    static String put(int node, String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (HTTP_BASE + node) + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    static String send(HttpRequest.Builder b) throws Exception {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        }
    }

    static int launcher(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("server-config/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(Map.of("SPRAWL_CLUSTER_DIR", dir.toString(), "SPRAWL_HTTP_BASE",
                Integer.toString(HTTP_BASE), "SPRAWL_HTTPS_BASE", "19443", "SPRAWL_GOSSIP_BASE", "17800",
                "SPRAWL_CLUSTER_NAME", "sprawl-bench"));
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " took over 600 s");
        }
        return p.exitValue();
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("failed: " + what);
        }
    }
}
