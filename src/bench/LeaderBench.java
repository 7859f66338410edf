import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leader election on 9 real Liberty servers (src/bench/leader-bench.sh). Every scenario is repeated;
 * times of agreement come from the nodes' own leader events (one machine, one clock):
 *
 *  - leader crash: SIGKILL the leader; until every survivor names the same new leader (the latest of
 *    their events for the new term), and until that leader's lease began (its actingSince);
 *  - a third with the leader: SIGKILL the leader and two others at once; until the six survivors show
 *    one member table (the three FAILED) and one leader: polled every 50 ms, and the last member or leader
 *    event of any of them before the poll saw it ({@link #lastChange});
 *  - partition and heal (only in network namespaces: leader-bench.sh as root): cut 9 into 5+4, the
 *    leader alternately on each side; until the majority names a leader and the minority none; then
 *    heal, until all nine show one table, all HEALTHY, and one leader (polled, and by the last event);
 *  - throughout: every 50 ms, every node's /overlay/api/leader at once; instants where two nodes name
 *    different leaders for one term, terms that ever had two leaders, and instants where two nodes
 *    say they hold the lease (isLeader) are counted.
 */
public class LeaderBench {

    static final int N = 9;
    static final long WAIT_MS = 30_000;
    /**
     * Seconds to let the cluster settle after a (re)start before the next fault (SETTLE_S, 20 by default; 0
     * for none): a Liberty server compiling its code takes most of a core for ~20 s, and nine of them share
     * two cores here, so without it a failover measures that contention rather than the overlay.
     */
    static final long SETTLE_MS = Long.parseLong(System.getenv().getOrDefault("SETTLE_S", "20")) * 1_000;

    record View(int node, String leader, long term, boolean majority, boolean isLeader) {
    }

    public static void main(String[] args) throws Exception {
        Bench.init(args[0]);
        int repeats = Integer.parseInt(args[1]);
        boolean namespaces = !Bench.ADDRESSES.get(0).isEmpty();
        List<String> report = new ArrayList<>();
        Sampler sampler = new Sampler();
        try {
            Bench.launcher("stop");
            start("start " + N);
            awaitOneLeader(Bench.survivors(N, Set.of()), 0);
            settle();
            sampler.start();
            // SCENARIOS=partition (or crash,third) runs only those: each scenario is minutes at 9 nodes.
            Set<String> scenarios = Set.of(System.getenv().getOrDefault("SCENARIOS", "crash,third,partition")
                    .split(","));
            if (scenarios.contains("crash")) {
                report.addAll(leaderCrash(repeats));
            }
            if (scenarios.contains("third")) {
                report.addAll(thirdWithLeader(repeats));
            }
            if (!scenarios.contains("partition")) {
                report.add("partition 5+4 and heal: not asked for (SCENARIOS)");
            } else if (namespaces) {
                report.addAll(partitionAndHeal(repeats));
            } else {
                report.add("partition 5+4 and heal: skipped (needs network namespaces: run leader-bench.sh as root)");
            }
        } finally {
            sampler.stop();
            heal();
            Bench.launcher("stop");
        }
        System.out.println();
        System.out.println(String.format("%-44s %3s %8s %8s %8s", "figure (ms)", "n", "median", "p99", "max"));
        report.forEach(System.out::println);
        System.out.println(sampler.summary());
        System.out.println("settled " + SETTLE_MS / 1_000 + " s after every (re)start (SETTLE_S)");
    }

    static List<String> leaderCrash(int repeats) throws Exception {
        List<Long> named = new ArrayList<>();
        List<Long> acting = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            View before = awaitOneLeader(Bench.survivors(N, Set.of()), 0);
            int old = index(before.leader());
            awaitActing(old);
            long killedAt = System.currentTimeMillis();
            Bench.process(old).destroyForcibly();
            List<Integer> survivors = Bench.survivors(N, Set.of(old));
            View after = awaitOneLeader(survivors, before.term());
            named.add(latestLeaderEvent(survivors, after.term()) - killedAt);
            awaitActing(index(after.leader()));
            acting.add(Bench.number(Bench.get(index(after.leader()), "/overlay/api/leader"), "actingSince") - killedAt);
            System.out.println("leader crash " + (r + 1) + ": node" + old + " -> " + after.leader() + " (term "
                    + after.term() + ") named by all " + named.get(r) + " ms, holds its lease from " + acting.get(r)
                    + " ms after the kill");
            start("restart node" + old);
            settle();
        }
        return List.of(Bench.row("leader kill -9 -> all survivors name one leader", named),
                Bench.row("leader kill -9 -> the new leader's lease begins", acting));
    }

    static List<String> thirdWithLeader(int repeats) throws Exception {
        List<Long> agreed = new ArrayList<>();
        List<Long> lastChange = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            View before = awaitOneLeader(Bench.survivors(N, Set.of()), 0);
            int l = index(before.leader());
            Set<Integer> victims = Set.of(l, (l + 3) % N, (l + 6) % N);
            long killedAt = Bench.kill(victims);
            List<Integer> six = Bench.survivors(N, victims);
            long at = Bench.awaitAgreement(six, victims, killedAt + WAIT_MS, () -> oneLeader(six, before.term()) != null);
            agreed.add(at - killedAt);
            lastChange.add(lastChange(six, killedAt, at) - killedAt);
            System.out.println("a third " + (r + 1) + ": killed " + victims + ", six agree in " + (at - killedAt)
                    + " ms (polled), their last change at " + lastChange.get(r) + " ms");
            start("restart " + victims);
            settle();
        }
        return List.of(Bench.row("3 of 9 incl. leader killed -> six agree (polled)", agreed),
                Bench.row("3 of 9 incl. leader killed -> six agree (events)", lastChange));
    }

    static List<String> partitionAndHeal(int repeats) throws Exception {
        List<Long> majorityLeads = new ArrayList<>();
        List<Long> minorityNone = new ArrayList<>();
        List<Long> healed = new ArrayList<>();
        List<Long> healedEvents = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            View before = awaitOneLeader(Bench.survivors(N, Set.of()), 0);
            awaitAllHealthy(Bench.survivors(N, Set.of()));
            int l = index(before.leader());
            List<Integer> others = new ArrayList<>(Bench.survivors(N, Set.of(l)));
            List<Integer> four = new ArrayList<>();
            if (r % 2 == 0) {
                four.add(l); // the leader in the minority: the majority must elect a new one
            }
            four.addAll(others.subList(0, 4 - four.size()));
            List<Integer> five = Bench.survivors(N, new HashSet<>(four));
            long cutAt = System.currentTimeMillis();
            cut(four, five);
            long deadline = cutAt + WAIT_MS;
            long majorityAt = -1;
            long minorityAt = -1;
            while ((majorityAt < 0 || minorityAt < 0) && System.currentTimeMillis() < deadline) {
                long now = System.currentTimeMillis();
                View one = oneLeader(five, 0);
                if (majorityAt < 0 && one != null && five.contains(index(one.leader()))) {
                    majorityAt = now;
                }
                if (minorityAt < 0 && four.stream().allMatch(i -> {
                    View v = view(i);
                    return v != null && v.leader() == null && !v.majority();
                })) {
                    minorityAt = now;
                }
                Thread.sleep(50);
            }
            Bench.check(majorityAt > 0 && minorityAt > 0, "the split settled within " + WAIT_MS + " ms");
            majorityLeads.add(majorityAt - cutAt);
            minorityNone.add(minorityAt - cutAt);
            Thread.sleep(2_000); // the split as it stands, a while
            long healAt = System.currentTimeMillis();
            heal();
            List<Integer> all = Bench.survivors(N, Set.of());
            long at = -1;
            deadline = healAt + 60_000;
            while (at < 0 && System.currentTimeMillis() < deadline) {
                Set<String> tables = tablesAtOnce(all);
                boolean allHealthy = tables.size() == 1 && tables.iterator().next().split("\n").length == N
                        && !tables.iterator().next().contains("FAILED") && !tables.iterator().next().contains("SUSPECT");
                if (allHealthy && oneLeader(all, 0) != null) {
                    at = System.currentTimeMillis();
                } else {
                    Thread.sleep(50);
                }
            }
            Bench.check(at > 0, "the nine agreed after the heal within 60 s");
            healed.add(at - healAt);
            healedEvents.add(lastChange(all, healAt, at) - healAt);
            System.out.println("partition " + (r + 1) + ": four " + four + " (leader node" + l + (four.contains(l)
                    ? " among them" : " with the five") + "); cut at " + java.time.Instant.ofEpochMilli(cutAt)
                    + ", majority leads in " + (majorityAt - cutAt) + " ms, minority shows none in "
                    + (minorityAt - cutAt) + " ms; healed at " + java.time.Instant.ofEpochMilli(healAt) + " in "
                    + (at - healAt) + " ms (polled), their last change at " + healedEvents.get(r)
                    + " ms (the times are for the nodes' logs)");
        }
        return List.of(Bench.row("5+4 cut -> the five name a leader (polled)", majorityLeads),
                Bench.row("5+4 cut -> the four show no leader (polled)", minorityNone),
                Bench.row("heal -> nine agree on table and leader (polled)", healed),
                Bench.row("heal -> nine agree on table and leader (events)", healedEvents));
    }

    /** The nodes' tables, asked of all at once: one after another, a round took up to ~1 s on a busy machine. */
    static Set<String> tablesAtOnce(List<Integer> nodes) {
        List<CompletableFuture<String>> asks = new ArrayList<>();
        for (int i : nodes) {
            asks.add(Bench.HTTP.sendAsync(HttpRequest.newBuilder(Bench.uri(i, "/overlay/api/members"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> Bench.table(r.body()))
                    .exceptionally(e -> "unreachable " + i));
        }
        Set<String> out = new HashSet<>();
        asks.forEach(a -> out.add(a.join()));
        return out;
    }

    /** Starts the nodes not running and waits for all nine to agree; when they do not, saves every node's threads. */
    static void start(String what) throws Exception {
        if (Bench.launcher("start", Integer.toString(N)) != 0) {
            List<String> dumps = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                try {
                    dumps.add(Bench.threadDump(i).toString());
                } catch (Exception e) {
                    dumps.add("node" + i + ": " + e.getMessage());
                }
            }
            throw new IllegalStateException("failed: " + what + "; threads: " + dumps);
        }
    }

    static void settle() throws InterruptedException {
        Thread.sleep(SETTLE_MS);
    }

    // ---- the cluster's answers ----------------------------------------------------------------

    static View view(int i) {
        try {
            return parse(i, Bench.get(i, "/overlay/api/leader"));
        } catch (Exception e) {
            return null;
        }
    }

    static View parse(int i, String json) {
        if (json == null || !json.contains("\"term\"")) {
            return null;
        }
        return new View(i, Bench.optString(json, "leader"), Bench.number(json, "term"),
                json.contains("\"majority\":true"), json.contains("\"isLeader\":true"));
    }

    /** The one leader (not null) these nodes all name, in a term above {@code aboveTerm}; null if they differ. */
    static View oneLeader(List<Integer> nodes, long aboveTerm) {
        View first = null;
        for (int i : nodes) {
            View v = view(i);
            if (v == null || v.leader() == null || v.term() <= aboveTerm) {
                return null;
            }
            if (first == null) {
                first = v;
            } else if (!first.leader().equals(v.leader()) || first.term() != v.term()) {
                return null;
            }
        }
        return first;
    }

    static View awaitOneLeader(List<Integer> nodes, long aboveTerm) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            View v = oneLeader(nodes, aboveTerm);
            if (v != null) {
                return v;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(nodes + " did not name one leader above term " + aboveTerm);
    }

    /** Polls until node i holds the lease; when it first did. */
    static long awaitActing(int i) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            View v = view(i);
            if (v != null && v.isLeader()) {
                return System.currentTimeMillis();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("node" + i + " did not hold the lease within " + WAIT_MS + " ms; its threads: "
                + Bench.threadDump(i) + "; its leader view: " + Bench.get(i, "/overlay/api/leader"));
    }

    /**
     * When these nodes' tables and leaders last changed between {@code from} and {@code to} (a poll that found
     * them agreeing): the latest member or leader event of any of them in that span, by the nodes' own clock (one
     * machine). A poll round reads each node in turn over HTTP and is late by up to a round on loaded servers;
     * the polled figure stays beside it as the bound. A change that makes no event (none is known) would be
     * missed here, and the poll's agreement still checks the end state.
     */
    static long lastChange(List<Integer> nodes, long from, long to) throws Exception {
        long latest = from;
        for (int i : nodes) {
            for (String e : Bench.events(i)) {
                long t = Bench.number(e, "time");
                boolean change = e.contains("\"type\":\"member\"") || e.contains("\"type\":\"leader\"");
                if (change && t >= from && t <= to) {
                    latest = Math.max(latest, t);
                }
            }
        }
        Bench.check(latest > from, "an event of " + nodes + " between the fault and the agreement");
        return latest;
    }

    /** The latest, over these nodes, of each one's leader event for {@code term}. */
    static long latestLeaderEvent(List<Integer> nodes, long term) throws Exception {
        long latest = 0;
        for (int i : nodes) {
            long t = -1;
            for (String e : Bench.events(i)) {
                if (e.contains("\"type\":\"leader\"") && Bench.number(e, "term") == term) {
                    t = Bench.number(e, "time");
                    break;
                }
            }
            Bench.check(t > 0, "node" + i + " has an event for term " + term);
            latest = Math.max(latest, t);
        }
        return latest;
    }

    static void awaitAllHealthy(List<Integer> nodes) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (int i : nodes) {
                String t = Bench.table(i);
                all &= t.split("\n").length == N && !t.contains("FAILED") && !t.contains("SUSPECT");
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not all HEALTHY within " + WAIT_MS + " ms");
    }

    static int index(String nodeId) {
        return Integer.parseInt(nodeId.substring("node".length()));
    }

    // ---- the network cut (in the hub namespace leader-bench.sh runs this in) -------------------

    static final List<String> rules = new ArrayList<>();

    /**
     * Drops every packet between the two sides: policy rules in the hub that routes between the nodes, all
     * added by one `ip -batch` so the cut (and the heal) is one instant, not dozens of process starts.
     */
    static void cut(List<Integer> a, List<Integer> b) throws Exception {
        for (int x : a) {
            for (int y : b) {
                rules.add("from " + Bench.host(x) + " to " + Bench.host(y));
                rules.add("from " + Bench.host(y) + " to " + Bench.host(x));
            }
        }
        ipBatch("add");
    }

    static void heal() throws Exception {
        ipBatch("del");
        rules.clear();
    }

    static void ipBatch(String verb) throws Exception {
        StringBuilder batch = new StringBuilder();
        for (String rule : rules) {
            batch.append("rule ").append(verb).append(' ').append(rule).append(" blackhole\n");
        }
        // -force: a heal after a cut that was only partly made removes what there is.
        Process p = new ProcessBuilder("ip", "-force", "-batch", "-").redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (var in = p.getOutputStream()) {
            in.write(batch.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        Bench.check(done && p.exitValue() == 0, "ip -batch: rule " + verb);
    }

    // ---- the sampler --------------------------------------------------------------------------

    /** Every 50 ms, all nodes' views at once; counts what must never happen. */
    static final class Sampler implements Runnable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this, "leader-sampler");
        private final Map<Long, String> leaderOfTerm = new HashMap<>();
        private final Set<Long> termsWithTwoLeaders = new HashSet<>();
        private long instants;
        private long conflicts;
        private long twoActing;
        private final List<String> examples = new ArrayList<>();

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }

        @Override
        public void run() {
            while (running.get()) {
                long next = System.currentTimeMillis() + 50;
                List<CompletableFuture<View>> asks = new ArrayList<>();
                for (int i = 0; i < N; i++) {
                    int node = i;
                    asks.add(Bench.HTTP.sendAsync(HttpRequest.newBuilder(Bench.uri(i, "/overlay/api/leader"))
                                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString())
                            .thenApply(r -> r.statusCode() == 200 ? parse(node, r.body()) : null)
                            .exceptionally(e -> null));
                }
                List<View> views = asks.stream().map(CompletableFuture::join).filter(v -> v != null).toList();
                record(views);
                long sleep = next - System.currentTimeMillis();
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        private synchronized void record(List<View> views) {
            instants++;
            Map<Long, String> now = new HashMap<>();
            boolean conflict = false;
            int acting = 0;
            for (View v : views) {
                if (v.isLeader()) {
                    acting++;
                }
                if (v.leader() == null) {
                    continue;
                }
                String other = now.putIfAbsent(v.term(), v.leader());
                conflict |= other != null && !other.equals(v.leader());
                String ever = leaderOfTerm.putIfAbsent(v.term(), v.leader());
                if (ever != null && !ever.equals(v.leader())) {
                    termsWithTwoLeaders.add(v.term());
                }
            }
            if (conflict) {
                conflicts++;
                if (examples.size() < 5) {
                    examples.add(views.toString());
                }
            }
            if (acting > 1) {
                twoActing++;
                if (examples.size() < 5) {
                    examples.add("two acting: " + views);
                }
            }
        }

        synchronized String summary() {
            return "sampled every 50 ms, " + instants + " instants over all scenarios: " + conflicts
                    + " with two leaders named for one term, " + termsWithTwoLeaders.size()
                    + " terms ever named with two leaders, " + twoActing + " with two nodes holding a lease"
                    + (examples.isEmpty() ? "" : "; e.g. " + examples);
        }
    }
}
