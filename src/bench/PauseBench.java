import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pause tolerance curve on 9 real Liberty servers (src/bench/pause-bench.sh): for each candidate
 * setting (environment for the nodes, e.g. SPRAWL_SUSPICION_MULTIPLIER=20), SIGSTOP one node for
 * 0.5, 1, 1.5, 2, 3 and 5 s, REPEATS times each, and count the observers that declared it FAILED
 * (a false FAILED: the node was only paused); then hold a node stopped and time hang -> FAILED per
 * observer. Each pause waits until every node shows the victim HEALTHY again before the next.
 */
public class PauseBench {

    static final int N = FailureBench.N;
    static final long[] PAUSES_MS = {500, 1_000, 1_500, 2_000, 3_000, 5_000};

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int repeats = Integer.parseInt(args[1]);
        List<String> report = new ArrayList<>();
        try {
            for (int c = 2; c < args.length; c++) {
                report.addAll(candidate(args[c], repeats));
            }
        } finally {
            Bench.launcher("stop");
            Bench.settings.clear();
        }
        System.out.println();
        System.out.println(String.format("%-60s %3s %8s %8s %8s", "figure", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    /** One candidate: "default", or KEY=VALUE[,KEY=VALUE...] for the nodes' environment. */
    static List<String> candidate(String spec, int repeats) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        if (!spec.equals("default")) {
            for (String kv : spec.split(",")) {
                String[] p = kv.split("=", 2);
                Bench.check(p.length == 2, "a candidate is default or KEY=VALUE[,KEY=VALUE]: " + kv);
                env.put(p[0], p[1]);
            }
        }
        Bench.launcher("stop");
        Bench.settings.clear();
        Bench.settings.putAll(env);
        Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N + " with " + spec);
        Thread.sleep(10_000); // the start settles (JIT, first state transfers)
        List<String> rows = new ArrayList<>();
        int victim = 1;
        for (long pause : PAUSES_MS) {
            int falseFailed = 0;
            int pausesWithFailed = 0;
            for (int r = 0; r < repeats; r++) {
                victim = 1 + victim % (N - 1); // 2..8, then 1: never the first node, whose start came first
                int f = pause(victim, pause);
                falseFailed += f;
                pausesWithFailed += f > 0 ? 1 : 0;
            }
            rows.add(String.format("%-60s %3d   FAILED by %d of %d observers; %d of %d pauses", spec + ": pause "
                    + pause + " ms, false FAILED", repeats, falseFailed, repeats * (N - 1), pausesWithFailed, repeats));
            System.out.println(rows.get(rows.size() - 1));
        }
        List<Long> failed = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            victim = 1 + victim % (N - 1);
            failed.addAll(hang(victim));
        }
        rows.add(Bench.row(spec + ": hang (SIGSTOP) -> FAILED, each observer (ms)", failed));
        System.out.println(rows.get(rows.size() - 1));
        return rows;
    }

    /** Pauses node {@code victim} for {@code millis}; returns how many observers declared it FAILED. */
    static int pause(int victim, long millis) throws Exception {
        String who = "node" + victim;
        long stoppedAt = System.currentTimeMillis();
        Bench.signal(victim, "STOP");
        try {
            Thread.sleep(millis);
        } finally {
            Bench.signal(victim, "CONT");
        }
        FailureBench.awaitAllHealthy(who, 90_000);
        Thread.sleep(1_000); // a late verdict (a FAILED after the node is back) would land here
        int failed = 0;
        for (int i : Bench.survivors(N, Set.of(victim))) {
            failed += Bench.eventTime(Bench.events(i), who, "FAILED", stoppedAt) != null ? 1 : 0;
        }
        System.out.println("pause " + who + " " + millis + " ms: FAILED by " + failed + " of " + (N - 1));
        return failed;
    }

    /** Holds node {@code victim} stopped until every observer has declared it FAILED; their times. */
    static List<Long> hang(int victim) throws Exception {
        String who = "node" + victim;
        Bench.signal(victim, "STOP");
        long stoppedAt = System.currentTimeMillis();
        List<Long> f = new ArrayList<>();
        try {
            for (int i : Bench.survivors(N, Set.of(victim))) {
                f.add(Bench.awaitEvent(i, who, "FAILED", stoppedAt, 30_000) - stoppedAt);
            }
        } finally {
            Bench.signal(victim, "CONT");
        }
        System.out.println("hang " + who + ": FAILED after " + f + " ms");
        FailureBench.awaitAllHealthy(who, 90_000);
        return f;
    }
}
