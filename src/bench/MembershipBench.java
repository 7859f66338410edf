import java.util.ArrayList;
import java.util.List;

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

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int repeats = Integer.parseInt(args[1]);
        List<String> report = new ArrayList<>();
        try {
            for (int i = 2; i < args.length; i++) {
                report.addAll(run(Integer.parseInt(args[i]), repeats));
            }
        } finally {
            Bench.launcher("stop");
        }
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure (ms)", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    static List<String> run(int n, int repeats) throws Exception {
        System.out.println("== N=" + n + ": starting " + n + " nodes");
        Bench.launcher("stop");
        Bench.check(Bench.launcher("start", Integer.toString(n)) == 0, "start " + n);
        List<Long> crash = new ArrayList<>();
        List<Long> crashAll = new ArrayList<>();
        List<Long> join = new ArrayList<>();
        List<Long> meta = new ArrayList<>();
        String victim = "node" + (n - 1);
        for (int r = 1; r <= repeats; r++) {
            // crash
            ProcessHandle process = Bench.process(n - 1);
            long killedAt = System.currentTimeMillis();
            process.destroyForcibly();
            long worst = 0;
            for (int i = 0; i < n - 1; i++) {
                long t = Bench.awaitEvent(i, victim, "FAILED", killedAt, 30_000) - killedAt;
                crash.add(t);
                worst = Math.max(worst, t);
            }
            crashAll.add(worst);
            // join
            Bench.check(Bench.launcher("start", Integer.toString(n)) == 0, "restart " + victim);
            long published = Bench.number(Bench.get(n - 1, "/overlay/api/members/" + victim), "updatedAt");
            for (int i = 0; i < n - 1; i++) {
                join.add(Bench.awaitEvent(i, victim, "HEALTHY", published - 1, 30_000) - published);
            }
            // metadata
            String value = "r" + r + "-" + System.nanoTime();
            Thread.sleep(1_000); // let the join's aftermath (state transfer, readiness polls) settle first
            String self = Bench.put(0, "/overlay/api/members/node0/metadata", "{\"bench\":\"" + value + "\"}");
            long written = Bench.number(self, "updatedAt");
            for (int i = 1; i < n; i++) {
                meta.add(awaitMetadata(i, value, 10_000) - written);
            }
            System.out.printf("N=%d repeat %d: crash worst %d ms, join %s ms, metadata %s ms%n", n, r, worst,
                    join.subList(join.size() - (n - 1), join.size()), meta.subList(meta.size() - (n - 1), meta.size()));
        }
        return List.of(
                Bench.row("N=" + n + " join propagation", join),
                Bench.row("N=" + n + " metadata propagation", meta),
                Bench.row("N=" + n + " crash -> FAILED, each survivor", crash),
                Bench.row("N=" + n + " crash -> FAILED, all survivors", crashAll));
    }

    /**
     * When node i applied node0's record carrying this metadata value (its seenAt). Asks first after a
     * pause, so the asking does not load the machine while the update propagates.
     */
    static long awaitMetadata(int i, String value, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Thread.sleep(300);
        while (System.currentTimeMillis() < deadline) {
            String m = Bench.get(i, "/overlay/api/members/node0");
            if (m.contains("\"bench\":\"" + value + "\"")) {
                return Bench.number(m, "seenAt");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node" + i + " did not see node0's metadata in " + timeoutMillis + " ms");
    }
}
