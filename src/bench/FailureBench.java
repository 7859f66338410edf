import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Failure detection on 9 real Liberty servers (src/bench/failure-bench.sh). Each scenario is repeated
 * and every figure comes from the survivors' own event times (one machine, one clock):
 *
 *  - crash: SIGKILL one node; per survivor, its FAILED event minus the kill;
 *  - hang: SIGSTOP one node and hold it; per survivor, its SUSPECT and FAILED events minus the stop;
 *  - a third: SIGKILL 3 of 9 at once; per survivor, when it shows all three FAILED; and when the six
 *    survivors' tables are identical (observed by polling every 50 ms);
 *  - false positives: SIGSTOP a node for 1 s, many times; FAILED (and SUSPECT) verdicts counted;
 *  - cost: idle CPU per node (percent of one core, from /proc) and bytes per second each node's
 *    transport sends (JGroups' counters), over 30 s, with the probe rounds on and then off.
 */
public class FailureBench {

    static final int N = 9;
    static final long IDLE_WINDOW_MS = 30_000;

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int repeats = Integer.parseInt(args[1]);
        int pauses = Integer.parseInt(args[2]);
        List<String> report = new ArrayList<>();
        try {
            Bench.launcher("stop");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N);
            report.add(cost("cost, probe rounds on"));
            report.addAll(crash(repeats));
            report.addAll(hang(repeats));
            report.addAll(third(repeats));
            report.addAll(falsePositives(pauses));
            Bench.launcher("stop");
            Bench.settings.put("SPRAWL_PROBE_ENABLED", "false");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N + " without probes");
            report.add(cost("cost, probe rounds off"));
        } finally {
            Bench.launcher("stop");
        }
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure (ms)", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    static List<String> crash(int repeats) throws Exception {
        List<Long> each = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            int victim = (N - 1 - 2 * r + 2 * N) % N; // 8, 6, 4, 2, 0 (the coordinator), ...
            ProcessHandle p = Bench.process(victim);
            long killedAt = System.currentTimeMillis();
            p.destroyForcibly();
            List<Long> these = new ArrayList<>();
            for (int i : Bench.survivors(N, Set.of(victim))) {
                these.add(Bench.awaitEvent(i, "node" + victim, "FAILED", killedAt, 30_000) - killedAt);
            }
            each.addAll(these);
            System.out.println("crash node" + victim + ": FAILED after " + these + " ms");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "restart node" + victim);
        }
        return List.of(Bench.row("crash (kill -9) -> FAILED, each survivor", each));
    }

    static List<String> hang(int repeats) throws Exception {
        List<Long> suspect = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            int victim = 1 + (2 * r) % (N - 1); // 1, 3, 5, 7, 2, ...
            String who = "node" + victim;
            Bench.signal(victim, "STOP");
            long stoppedAt = System.currentTimeMillis();
            List<Long> s = new ArrayList<>();
            List<Long> f = new ArrayList<>();
            try {
                for (int i : Bench.survivors(N, Set.of(victim))) {
                    f.add(Bench.awaitEvent(i, who, "FAILED", stoppedAt, 30_000) - stoppedAt);
                    s.add(Bench.awaitEvent(i, who, "SUSPECT", stoppedAt, 1_000) - stoppedAt);
                }
            } finally {
                Bench.signal(victim, "CONT");
            }
            suspect.addAll(s);
            failed.addAll(f);
            System.out.println("hang " + who + ": SUSPECT after " + s + " ms, FAILED after " + f + " ms");
            awaitAllHealthy(who, 60_000);
        }
        return List.of(Bench.row("hang (SIGSTOP) -> SUSPECT, each survivor", suspect),
                Bench.row("hang (SIGSTOP) -> FAILED, each survivor", failed));
    }

    static List<String> third(int repeats) throws Exception {
        List<Long> allFailed = new ArrayList<>();
        List<Long> agreed = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            Set<Integer> victims = Set.of((1 + r) % N, (4 + r) % N, (7 + r) % N);
            long killedAt = Bench.kill(victims);
            List<Integer> survivors = Bench.survivors(N, victims);
            long agreedAt = Bench.awaitAgreement(survivors, victims, killedAt + 30_000, () -> true);
            List<Long> these = new ArrayList<>();
            for (int i : survivors) {
                long worst = 0;
                for (int v : victims) {
                    worst = Math.max(worst, Bench.awaitEvent(i, "node" + v, "FAILED", killedAt, 30_000) - killedAt);
                }
                these.add(worst);
            }
            allFailed.addAll(these);
            agreed.add(Math.max(agreedAt - killedAt, these.stream().max(Long::compare).orElse(0L)));
            System.out.println("third " + victims + ": all three FAILED after " + these + " ms; six agree after "
                    + (agreedAt - killedAt) + " ms");
            Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "restart " + victims);
        }
        return List.of(Bench.row("3 of 9 killed -> all 3 FAILED, each survivor", allFailed),
                Bench.row("3 of 9 killed -> six tables agree", agreed));
    }

    static List<String> falsePositives(int pauses) throws Exception {
        int failedVerdicts = 0;
        int suspicions = 0;
        long start = System.currentTimeMillis();
        for (int r = 0; r < pauses; r++) {
            int victim = 1 + r % (N - 1);
            Bench.signal(victim, "STOP");
            try {
                Thread.sleep(1_000);
            } finally {
                Bench.signal(victim, "CONT");
            }
            Thread.sleep(2_500 + 97L * (r % 7)); // past the suspicion timeout; varying phases
        }
        Thread.sleep(2_000);
        for (int i = 0; i < N; i++) {
            for (String e : Bench.events(i)) {
                if (Bench.number(e, "time") >= start && !e.contains("\"node\":\"node" + i + "\"")) {
                    failedVerdicts += e.contains("\"to\":\"FAILED\"") ? 1 : 0;
                    suspicions += e.contains("\"to\":\"SUSPECT\"") ? 1 : 0;
                }
            }
        }
        System.out.println("false positives: " + pauses + " pauses of 1 s, " + failedVerdicts + " FAILED verdicts, "
                + suspicions + " SUSPECT events (refuted)");
        return List.of(String.format("%-44s %3d   FAILED verdicts: %d (SUSPECT events, all refuted: %d)",
                "1 s SIGSTOP, false positives", pauses, failedVerdicts, suspicions));
    }

    /** Idle CPU (percent of one core) and transport bytes sent per second, per node, over a window. */
    static String cost(String name) throws Exception {
        Thread.sleep(20_000); // let the start settle (a node still compiling its code reads as busy)
        long[] cpu0 = new long[N];
        long[] bytes0 = new long[N];
        for (int i = 0; i < N; i++) {
            cpu0[i] = Bench.cpuTicks(i);
            bytes0[i] = Bench.number(Bench.get(i, "/overlay/health/membership"), "bytesSent");
        }
        long t0 = System.nanoTime();
        Thread.sleep(IDLE_WINDOW_MS);
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<Long> cpuPermille = new ArrayList<>();
        List<Long> bytesPerSecond = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            double cpuSeconds = (Bench.cpuTicks(i) - cpu0[i]) / (double) Bench.TICKS_PER_SECOND;
            cpuPermille.add(Math.round(cpuSeconds / seconds * 1000));
            long b = Bench.number(Bench.get(i, "/overlay/health/membership"), "bytesSent");
            bytesPerSecond.add(Math.round((b - bytes0[i]) / seconds));
        }
        String line = String.format("%-44s %3d   CPU per node %s %% of a core; sent %s bytes/s per node", name, N,
                Bench.percent(cpuPermille), bytesPerSecond);
        System.out.println(line);
        return line;
    }

    /** Waits until every node shows {@code who} HEALTHY (a paused node back after SIGCONT). */
    static void awaitAllHealthy(String who, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (int i = 0; i < N; i++) {
                all &= Bench.table(i).contains(who + " HEALTHY");
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(who + " did not come back HEALTHY on every node within " + timeoutMillis
                + " ms");
    }
}
