package io.sprawl.overlay.failure;

import io.sprawl.overlay.config.DetectorConfig;
import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipEvent;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.membership.RecordStatus;
import io.sprawl.overlay.testkit.MutableClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Failure detectors of several members on one simulated clock and network, run deterministically:
 * ticks, deadlines and message deliveries are events in one queue. A member can be silenced (its
 * messages lost both ways: a crash or a cut), paused (a stopped process: nothing runs, messages wait
 * in its buffers), stuck (its probe timer stops, its transport still delivers: a stuck overlay) or
 * crashed (silent, and nothing listens on its port). Each member has a real member table
 * ({@link MembershipManager}), where its detector keeps every peer's one liveness state; all members
 * stay in every table's transport view (no JGroups here), so only the detectors move states.
 */
final class SimulatedCluster {

    static final long START = 1_000_000;
    static final long LATENCY_MS = 1;

    final MutableClock clock = new MutableClock(START);
    final DetectorConfig config;
    final Map<String, FailureDetector> detectors = new LinkedHashMap<>();
    /** Every node's member table. */
    final Map<String, MembershipManager> tables = new HashMap<>();
    /** What the simulation itself notes (refutations, exclusions); the tables' events join it in {@link #log}. */
    private final List<Line> notes = new ArrayList<>();
    /** Cut off: messages lost both ways, but its process (and port) is there. */
    final Set<String> silenced = new HashSet<>();
    /** One-way cuts, "from>to": what {@code from} sends {@code to} is lost, the other way arrives. */
    final Set<String> oneWay = new HashSet<>();
    /** Gone: messages lost, and nothing listens on its port. */
    final Set<String> crashed = new HashSet<>();
    final Set<String> paused = new HashSet<>();
    final Set<String> stuck = new HashSet<>();
    final Map<String, List<Runnable>> held = new HashMap<>();
    final Map<String, Long> refutedTo = new HashMap<>();
    /**
     * Packet loss under TCP (see {@link #lossyTcp}): the chance each transmission of a message is lost; 0 for none.
     */
    private double tcpLoss;
    private Random lossRandom;
    /** When the last message on each link ("from>to") is delivered: TCP delivers in order, so a late one holds back the rest. */
    private final Map<String, Long> linkBusyUntil = new HashMap<>();

    private record Event(long at, long order, String owner, Runnable task) {
    }

    private record Line(long at, long order, String text) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long order;

    SimulatedCluster(DetectorConfig config, String... ids) {
        this.config = config;
        for (String id : ids) {
            tables.put(id, table(id, clock, List.of(ids)));
        }
        for (String id : ids) {
            add(id);
        }
        // Ticks start at slightly different phases, as real timers do.
        int i = 0;
        for (String id : ids) {
            scheduleTick(id, 1 + (i++ * 7L) % config.probeIntervalMillis());
        }
    }

    /**
     * A member table of {@code self} in which every one of {@code members} is in the view (transport id
     * {@code t-<id>}) with a record of incarnation 1 speaking this build's protocols: all HEALTHY. Its events
     * start after these joins.
     */
    static MembershipManager table(String self, MutableClock clock, Collection<String> members) {
        MembershipManager t = new MembershipManager(self, clock, 60_000, 10_000);
        Set<String> view = new HashSet<>();
        members.forEach(m -> view.add("t-" + m));
        t.viewChanged(1, view);
        for (String m : members) {
            t.recordChanged(new MemberRecord(m, "t-" + m, "127.0.0.1", 7800, 9080, "sim", 0, 1, "", "", Map.of(),
                    Map.of(), 1, 0, RecordStatus.ALIVE, 0, ProbeCodec.MIN_VERSION, ProbeCodec.VERSION));
        }
        return t;
    }

    private void add(String id) {
        MembershipManager table = tables.get(id);
        ProbeTransport transport = new ProbeTransport() {
            @Override
            public void send(String to, byte[] message) {
                deliver(id, to, message);
            }

            @Override
            public void broadcast(byte[] message) {
                for (String other : detectors.keySet()) {
                    if (!other.equals(id)) {
                        deliver(id, other, message);
                    }
                }
            }

            @Override
            public void exclude(String nodeId) {
                note(id + " asks to exclude " + nodeId);
            }

            @Override
            public void excludeExited(String nodeId) {
                note(id + " asks to exclude " + nodeId + " (exited)");
            }

            @Override
            public void checkProcess(String nodeId, java.util.function.Consumer<String> ifGone) {
                if (crashed.contains(nodeId)) {
                    at(clock.millis() + LATENCY_MS, id, () -> ifGone.accept("no process"));
                }
            }
        };
        Scheduler scheduler = (delay, task) -> at(clock.millis() + delay, id, task);
        List<String> others = new ArrayList<>(tables.keySet());
        others.remove(id);
        others.sort(Comparator.naturalOrder());
        FailureDetector d = new FailureDetector(id, 1, config, clock, scheduler, transport, table, incarnation -> {
            refutedTo.put(id, incarnation);
            note(id + " refuted to #" + incarnation);
        }, () -> others, new Random(id.hashCode()));
        detectors.put(id, d);
    }

    private void note(String text) {
        notes.add(new Line(clock.millis(), order++, clock.millis() - START + " " + text));
    }

    private void deliver(String from, String to, byte[] message) {
        if (silenced.contains(from) || silenced.contains(to) || crashed.contains(from) || crashed.contains(to)
                || oneWay.contains(from + ">" + to)) {
            return;
        }
        long due = clock.millis() + LATENCY_MS;
        if (tcpLoss > 0) {
            // Each lost transmission waits out a retransmission timeout, doubled each time (Linux: 200 ms first).
            for (long rto = TCP_MIN_RTO_MS; rto <= TCP_MAX_BACKOFF_MS && lossRandom.nextDouble() < tcpLoss; rto *= 2) {
                due += rto;
            }
            due = Math.max(due, linkBusyUntil.getOrDefault(from + ">" + to, 0L));
            linkBusyUntil.put(from + ">" + to, due);
        }
        at(due, to, () -> detectors.get(to).receive(from, message, 0, message.length));
    }

    static final long TCP_MIN_RTO_MS = 200;
    static final long TCP_MAX_BACKOFF_MS = 12_800;

    /**
     * From now on {@code percent} % of every packet is lost, as on a lossy network under TCP (the probe transport
     * is JGroups over TCP): no message is lost, but one whose packet is lost arrives a retransmission timeout later,
     * and the messages behind it on the same link wait for it. Seeded: a run is repeatable.
     */
    void lossyTcp(double percent, long seed) {
        tcpLoss = percent / 100;
        lossRandom = new Random(seed);
    }

    private void scheduleTick(String id, long delay) {
        at(clock.millis() + delay, id, () -> {
            if (!stuck.contains(id)) {
                detectors.get(id).tick();
            }
            scheduleTick(id, config.probeIntervalMillis());
        });
    }

    /** Runs {@code task} at {@code time} as {@code owner}'s work: held while the owner is paused. */
    private void at(long time, String owner, Runnable task) {
        queue.add(new Event(time, order++, owner, task));
    }

    /** Runs every event up to {@code millis} from now, in time order, moving the clock. */
    void run(long millis) {
        long end = clock.millis() + millis;
        for (int guard = 0; guard < 10_000_000 && !queue.isEmpty() && queue.peek().at <= end; guard++) {
            Event e = queue.poll();
            clock.advance(e.at - clock.millis());
            if (paused.contains(e.owner)) {
                held.computeIfAbsent(e.owner, k -> new ArrayList<>()).add(e.task);
            } else {
                e.task.run();
            }
        }
        clock.advance(end - clock.millis());
    }

    /** From now on {@code to} does not hear {@code from}; {@code from} still hears {@code to}. */
    void cutOneWay(String from, String to) {
        oneWay.add(from + ">" + to);
    }

    void pause(String id) {
        paused.add(id);
    }

    /** Resumes a paused member: what it missed runs now, late, as after SIGCONT. */
    void resume(String id) {
        paused.remove(id);
        for (Runnable r : held.getOrDefault(id, List.of())) {
            at(clock.millis(), id, r);
        }
        held.remove(id);
    }

    MemberState state(String observer, String node) {
        return tables.get(observer).nodeState(node).orElseThrow();
    }

    long incarnation(String observer, String node) {
        return tables.get(observer).member(node).orElseThrow().incarnation();
    }

    /**
     * Every transition in every table since the start ({@code <ms> <observer>: <node> <from> -> <to>
     * #<incarnation> (<reason>)}) and the simulation's notes, in time order.
     */
    List<String> log() {
        List<Line> all = new ArrayList<>(notes);
        for (Map.Entry<String, MembershipManager> t : tables.entrySet()) {
            for (MembershipEvent e : t.getValue().events(0)) {
                if (e.from() != null && !e.concernsLeader()) {
                    all.add(new Line(e.time(), e.seq(), e.time() - START + " " + t.getKey() + ": " + e.node() + " "
                            + e.from() + " -> " + e.to() + " #" + e.incarnation() + " (" + e.reason() + ")"));
                }
            }
        }
        all.sort(Comparator.comparingLong(Line::at));
        return all.stream().map(Line::text).toList();
    }

    /** When each observer first showed {@code node} in {@code state}, ms after the start; absent if never. */
    Map<String, Long> firstSeen(String node, MemberState state) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : log()) {
            String[] parts = line.split(" ", 3);
            String observer = parts[1].replace(":", "");
            if (parts[2].startsWith(node + " ") && parts[2].contains("-> " + state + " ")
                    && !out.containsKey(observer)) {
                out.put(observer, Long.parseLong(parts[0]));
            }
        }
        return out;
    }

    String dump() {
        return String.join("\n", log());
    }
}
