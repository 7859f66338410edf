import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Churn soak on 7 real Liberty servers (and an eighth that joins and leaves): for a number of minutes,
 * one random fault after another (kill -9 and restart, a 1 s pause that must stay a suspicion at most, a
 * 4 s pause that may be a failure, a graceful restart, a join and a leave), each followed by a wait until
 * every live node agrees on the table and the leader. At the end: heap, threads and history of the
 * nodes never restarted, against their figures after the warm-up; whether every node agrees; and every
 * FAILED in every node's history matched against a fault of that node that could explain it.
 *
 * <p>Arguments: the project root, the minutes of churn, and optionally a seed (printed, so a run can be
 * repeated). Exits non-zero when a FAILED has no fault behind it or the nodes do not agree at the end.
 */
final class ChurnSoak {

    static final int N = 7;
    /** The node that joins and leaves. */
    static final int JOINER = N;
    /** A FAILED this long after a fault began is still that fault's (detection, a slow restart). */
    static final long EXPLAINS_MS = 20_000;

    record Fault(String kind, int node, long at) {
    }

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        try {
            soak(args);
        } finally {
            Bench.launcher("stop"); // whatever failed: no server outlives the soak
        }
    }

    static void soak(String[] args) throws Exception {
        double minutes = Double.parseDouble(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.nanoTime();
        Random random = new Random(seed);
        System.out.println("churn soak: 7 nodes (+1 joining), " + minutes + " min, seed " + seed);
        Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "local-cluster.sh start 7");
        Set<Integer> live = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            live.add(i);
        }
        awaitAgreement(live);
        long start = System.currentTimeMillis();
        Map<Integer, long[]> warm = figures(live);
        List<Fault> faults = new ArrayList<>();
        Set<Integer> restarted = new HashSet<>();
        long deadline = start + (long) (minutes * 60_000);
        while (System.currentTimeMillis() < deadline) {
            List<Integer> candidates = new ArrayList<>(live);
            candidates.remove(Integer.valueOf(JOINER));
            int victim = candidates.get(random.nextInt(candidates.size()));
            int action = random.nextInt(6);
            long at = System.currentTimeMillis();
            switch (action) {
                case 0 -> {
                    faults.add(new Fault("kill -9", victim, at));
                    Bench.kill(Set.of(victim));
                    restarted.add(victim);
                    Thread.sleep(3_000); // a crashed process is found gone; then a supervisor restarts it
                    Bench.check(Bench.launcher("start", size(live)) == 0, "restart node" + victim);
                }
                case 1 -> {
                    faults.add(new Fault("pause 1 s", victim, at));
                    pause(victim, 1_000);
                }
                case 2 -> {
                    faults.add(new Fault("pause 4 s", victim, at));
                    pause(victim, 4_000);
                }
                case 3 -> {
                    faults.add(new Fault("graceful restart", victim, at));
                    restarted.add(victim);
                    Bench.check(Bench.launcher("stop", Integer.toString(victim)) == 0, "stop node" + victim);
                    Bench.check(Bench.launcher("start", size(live)) == 0, "start node" + victim);
                }
                default -> {
                    if (live.contains(JOINER)) {
                        faults.add(new Fault("leave", JOINER, at));
                        Bench.check(Bench.launcher("stop", Integer.toString(JOINER)) == 0, "stop node" + JOINER);
                        live.remove(JOINER);
                    } else {
                        faults.add(new Fault("join", JOINER, at));
                        Bench.check(Bench.launcher("start", Integer.toString(N + 1)) == 0, "start node" + JOINER);
                        live.add(JOINER);
                    }
                }
            }
            Fault f = faults.get(faults.size() - 1);
            long agreed = awaitAgreement(live);
            System.out.println(String.format("%6.1f min  %-16s node%d  agreed after %d ms", (at - start) / 60_000.0,
                    f.kind(), f.node(), agreed - at));
            Thread.sleep(2_000 + random.nextInt(8_000));
        }
        if (live.contains(JOINER)) {
            Bench.check(Bench.launcher("stop", Integer.toString(JOINER)) == 0, "stop node" + JOINER);
            live.remove(JOINER);
        }
        long agreedAtEnd = awaitAgreement(live);

        List<String> unexplained = new ArrayList<>();
        int failures = 0;
        for (int i : live) {
            for (String e : Bench.events(i)) {
                if (!e.contains("\"type\":\"member\"") || !e.contains("\"to\":\"FAILED\"") || Bench.number(e, "time") < start) {
                    continue;
                }
                failures++;
                String who = Bench.string(e, "node");
                long t = Bench.number(e, "time");
                boolean explained = faults.stream().anyMatch(f -> ("node" + f.node()).equals(who)
                        && !f.kind().equals("pause 1 s") && t >= f.at() && t - f.at() <= EXPLAINS_MS);
                if (!explained) {
                    unexplained.add("node" + i + " saw " + who + " FAILED at +" + (t - start) + " ms ("
                            + Bench.string(e, "reason") + ")");
                }
            }
        }
        Map<Integer, long[]> end = figures(live);
        TreeMap<String, Integer> kinds = new TreeMap<>();
        faults.forEach(f -> kinds.merge(f.kind(), 1, Integer::sum));
        System.out.println();
        System.out.println("faults: " + faults.size() + " " + kinds);
        System.out.println("FAILED events in the histories: " + failures + ", unexplained by a fault: "
                + unexplained.size() + (unexplained.isEmpty() ? "" : " " + unexplained));
        System.out.println("all " + live.size() + " agree on the table and the leader at the end (at +"
                + (agreedAtEnd - start) / 1000 + " s)");
        System.out.println("node   heap MB warm->end   threads warm->end   events warm->end   (nodes never restarted)");
        for (int i : live) {
            if (!restarted.contains(i) && warm.containsKey(i)) {
                long[] w = warm.get(i);
                long[] e = end.get(i);
                System.out.println(String.format("node%d  %5d -> %5d       %4d -> %4d        %5d -> %5d", i,
                        w[0] >> 20, e[0] >> 20, w[1], e[1], w[2], e[2]));
            }
        }
        Bench.check(unexplained.isEmpty(), "every FAILED matches a fault");
    }

    /**
     * The launcher's count for a (re)start: it starts nodes 0..n-1 that are not running and waits until they
     * see n members, so with the joiner live that is eight, not seven.
     */
    static String size(Set<Integer> live) {
        return Integer.toString(live.contains(JOINER) ? N + 1 : N);
    }

    /** A SIGSTOP of {@code millis}, then SIGCONT. */
    static void pause(int i, long millis) throws Exception {
        Bench.signal(i, "STOP");
        try {
            Thread.sleep(millis);
        } finally {
            Bench.signal(i, "CONT");
        }
    }

    /** Waits (at most 3 minutes) until every live node shows every live node HEALTHY, one table, one leader. */
    static long awaitAgreement(Set<Integer> live) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            Set<String> tables = new HashSet<>();
            Set<String> leaders = new HashSet<>();
            boolean healthy = true;
            for (int i : live) {
                String t = Bench.table(i);
                for (int j : live) {
                    healthy &= t.contains("node" + j + " HEALTHY");
                }
                tables.add(t);
                String l = Bench.get(i, "/overlay/api/leader");
                leaders.add(l.isEmpty() ? "" : Bench.optString(l, "leader") + "@" + Bench.number(l, "term"));
            }
            if (healthy && tables.size() == 1 && leaders.size() == 1 && !leaders.contains("")
                    && !leaders.iterator().next().startsWith("null")) {
                return System.currentTimeMillis();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the live nodes " + live + " did not agree within 3 minutes");
    }

    /** Per node: heap used (bytes), the process's threads, the events it holds. */
    static Map<Integer, long[]> figures(Set<Integer> live) throws Exception {
        Map<Integer, long[]> out = new TreeMap<>();
        for (int i : live) {
            String metrics = Bench.get(i, "/overlay/api/metrics");
            int own = metrics.indexOf("\"node" + i + "\":{"); // its own snapshot, among everyone's
            long heap = own < 0 ? -1 : (long) Bench.decimal(metrics.substring(own), "jvm.heap.used.bytes");
            long threads = Files.readAllLines(Path.of("/proc/" + Bench.process(i).pid() + "/status")).stream()
                    .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim()))
                    .findFirst().orElse(-1);
            out.put(i, new long[] {heap, threads, Bench.events(i).size()});
        }
        return out;
    }
}
