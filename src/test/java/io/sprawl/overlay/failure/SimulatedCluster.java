package io.sprawl.overlay.failure;

import io.sprawl.overlay.config.DetectorConfig;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.testkit.MutableClock;
import java.util.ArrayList;
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
 * crashed (silent, and nothing listens on its port).
 */
final class SimulatedCluster {

    static final long START = 1_000_000;
    static final long LATENCY_MS = 1;

    final MutableClock clock = new MutableClock(START);
    final DetectorConfig config;
    final Map<String, FailureDetector> detectors = new LinkedHashMap<>();
    /** Every node's view of every other: what its member table would show. */
    final Map<String, Map<String, MemberState>> tables = new HashMap<>();
    final Map<String, Map<String, Long>> incarnations = new HashMap<>();
    final List<String> log = new ArrayList<>();
    /** Cut off: messages lost both ways, but its process (and port) is there. */
    final Set<String> silenced = new HashSet<>();
    /** Gone: messages lost, and nothing listens on its port. */
    final Set<String> crashed = new HashSet<>();
    final Set<String> paused = new HashSet<>();
    final Set<String> stuck = new HashSet<>();
    final Map<String, List<Runnable>> held = new HashMap<>();
    final Map<String, Long> refutedTo = new HashMap<>();

    private record Event(long at, long order, String owner, Runnable task) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long order;

    SimulatedCluster(DetectorConfig config, String... ids) {
        this.config = config;
        for (String id : ids) {
            add(id);
        }
        for (String id : ids) {
            for (String other : ids) {
                if (!other.equals(id)) {
                    tables.get(id).put(other, MemberState.HEALTHY);
                }
            }
        }
        // Ticks start at slightly different phases, as real timers do.
        int i = 0;
        for (String id : ids) {
            scheduleTick(id, 1 + (i++ * 7L) % config.probeIntervalMillis());
        }
    }

    private void add(String id) {
        Map<String, MemberState> table = new LinkedHashMap<>();
        Map<String, Long> inc = new HashMap<>();
        tables.put(id, table);
        incarnations.put(id, inc);
        DetectorEvents events = new DetectorEvents() {
            @Override
            public void suspect(String node, long incarnation, String reason) {
                record(id, node, MemberState.SUSPECT, incarnation, reason);
            }

            @Override
            public void alive(String node, long incarnation, String reason) {
                if (table.get(node) != MemberState.HEALTHY) {
                    record(id, node, MemberState.HEALTHY, incarnation, reason);
                }
                inc.merge(node, incarnation, Math::max);
            }

            @Override
            public void failed(String node, long incarnation, String reason) {
                record(id, node, MemberState.FAILED, incarnation, reason);
            }

            @Override
            public void refuted(long incarnation) {
                refutedTo.put(id, incarnation);
                log.add(clock.millis() - START + " " + id + " refuted to #" + incarnation);
            }
        };
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
                log.add(clock.millis() - START + " " + id + " asks to exclude " + nodeId);
            }

            @Override
            public void checkProcess(String nodeId, java.util.function.Consumer<String> ifGone) {
                if (crashed.contains(nodeId)) {
                    at(clock.millis() + LATENCY_MS, id, () -> ifGone.accept("no process"));
                }
            }
        };
        Scheduler scheduler = (delay, task) -> at(clock.millis() + delay, id, task);
        FailureDetector d = new FailureDetector(id, 1, config, clock, scheduler, transport, events,
                () -> candidates(id), new Random(id.hashCode()));
        detectors.put(id, d);
    }

    private List<FailureDetector.Candidate> candidates(String self) {
        List<FailureDetector.Candidate> out = new ArrayList<>();
        for (String other : detectors.keySet()) {
            if (!other.equals(self)) {
                MemberState s = tables.get(self).getOrDefault(other, MemberState.HEALTHY);
                out.add(new FailureDetector.Candidate(other, incarnations.get(self).getOrDefault(other, 1L),
                        s == MemberState.FAILED));
            }
        }
        return out;
    }

    private void record(String observer, String node, MemberState to, long incarnation, String reason) {
        MemberState from = tables.get(observer).put(node, to);
        incarnations.get(observer).merge(node, incarnation, Math::max);
        log.add(clock.millis() - START + " " + observer + ": " + node + " " + from + " -> " + to + " #" + incarnation
                + " (" + reason + ")");
    }

    private void deliver(String from, String to, byte[] message) {
        if (silenced.contains(from) || silenced.contains(to) || crashed.contains(from) || crashed.contains(to)) {
            return;
        }
        at(clock.millis() + LATENCY_MS, to, () -> detectors.get(to).receive(from, message, 0, message.length));
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
        return tables.get(observer).getOrDefault(node, MemberState.HEALTHY);
    }

    /** When each observer first showed {@code node} in {@code state}, ms after the start; absent if never. */
    Map<String, Long> firstSeen(String node, MemberState state) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : log) {
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
        return String.join("\n", log);
    }
}
