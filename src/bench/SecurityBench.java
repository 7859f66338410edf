import java.util.ArrayList;
import java.util.List;

/**
 * What securing the cluster costs (src/bench/security-bench.sh): the same 9 real Liberty servers run
 * plaintext and then with mutual TLS (sprawl.cluster.security), in one run, and each side gets the
 * same figures, from the same code as the other benchmarks:
 *
 *  - join and metadata propagation, crash -> FAILED (MembershipBench.run at N=9);
 *  - probe round trips: every node's smoothed RTT and p99 of every peer (its failure detector's own);
 *  - hang -> SUSPECT and FAILED (FailureBench.hang);
 *  - idle CPU per node and transport bytes sent per second (FailureBench.cost, 30 s).
 */
public class SecurityBench {

    static final int N = 9;

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int repeats = Integer.parseInt(args[1]);
        List<String> report = new ArrayList<>();
        if (args.length > 2 && args[2].equals("idle")) {
            idleOnly(repeats, report);
            return;
        }
        try {
            for (String mode : List.of("plaintext", "tls")) {
                Bench.settings.put("SPRAWL_CLUSTER_SECURITY", mode);
                report.add("== " + mode);
                report.addAll(MembershipBench.run(N, repeats)); // starts the 9 nodes afresh
                report.add(FailureBench.cost(mode + ": idle cost"));
                report.addAll(rtt());
                report.addAll(FailureBench.hang(repeats));
            }
        } finally {
            Bench.launcher("stop");
        }
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure (ms; RTT in us)", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
    }

    /**
     * Only the idle cost, plaintext and TLS alternating {@code rounds} times on fresh clusters: the cost
     * of one run varies by about a point of a core from start to start, more than the difference sought.
     */
    static void idleOnly(int rounds, List<String> report) throws Exception {
        try {
            for (int r = 1; r <= rounds; r++) {
                for (String mode : List.of("plaintext", "tls")) {
                    Bench.settings.put("SPRAWL_CLUSTER_SECURITY", mode);
                    Bench.launcher("stop");
                    Bench.check(Bench.launcher("start", Integer.toString(N)) == 0, "start " + N + " " + mode);
                    report.add(FailureBench.cost("round " + r + " " + mode + ": idle cost"));
                }
            }
        } finally {
            Bench.launcher("stop");
        }
        System.out.println();
        report.forEach(System.out::println);
    }

    /** Every node's view of every peer's probe round trip: the smoothed value and the p99, in microseconds. */
    static List<String> rtt() throws Exception {
        List<Long> ewma = new ArrayList<>();
        List<Long> p99 = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                if (i != j) {
                    String m = Bench.get(i, "/overlay/api/members/node" + j);
                    ewma.add(micros(m, "rttEwmaMillis"));
                    p99.add(micros(m, "rttP99Millis"));
                }
            }
        }
        return List.of(Bench.row("probe RTT (smoothed), each pair", ewma), Bench.row("probe RTT (p99), each pair", p99));
    }

    static long micros(String json, String field) {
        return Math.round(Bench.decimal(json, field) * 1000);
    }
}
