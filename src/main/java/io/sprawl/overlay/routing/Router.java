package io.sprawl.overlay.routing;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.membership.MembershipSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.infinispan.commons.hash.MurmurHash3;

/**
 * The original system's DHT: which nodes own a topic or key. Rendezvous (highest random weight)
 * hashing over the {@code HEALTHY} members: each member scores {@code hash(key, member id)} and the
 * highest scores own the key. Every node with the same table computes the same owners, and when a
 * member comes or goes only the keys it wins or held move, about 1/N of them.
 *
 * <p>Load-aware: load never changes who owns a key (that would move keys as load wobbles), only
 * which owner comes first. Owners are ordered by load class (forecast load in steps of
 * {@link #LOAD_CLASS}: idle, light, busy, saturated), and by hash within a class, so a client that
 * takes the first owner avoids a busy one while small differences change nothing.
 *
 * <p>Stateless: each call reads the current member table and loads, so any thread may route.
 */
public final class Router {

    /** Width of a load class: owners whose forecast loads differ by less than this may keep their hash order. */
    static final double LOAD_CLASS = 0.25;

    private final Supplier<MembershipSnapshot> table;
    private final int defaultReplicas;
    private final Supplier<Map<String, Double>> load;

    /** @param load each member's forecast load in [0, 1]; members absent count as 0 */
    public Router(Supplier<MembershipSnapshot> table, int defaultReplicas, Supplier<Map<String, Double>> load) {
        this.table = table;
        this.defaultReplicas = defaultReplicas;
        this.load = load;
    }

    public List<Member> route(String key) {
        return route(key, defaultReplicas);
    }

    /** The owners of {@code key}, least loaded class first; fewer than {@code replicas} when fewer members are healthy. */
    public List<Member> route(String key, int replicas) {
        return preferLessLoaded(owners(key, table.get().inState(MemberState.HEALTHY), replicas), load.get());
    }

    /** The loads the router sees now, by member id. */
    public Map<String, Double> loads() {
        return load.get();
    }

    /** A stable sort by load class: owners in one class keep their hash order. */
    static List<Member> preferLessLoaded(List<Member> owners, Map<String, Double> loads) {
        List<Member> out = new ArrayList<>(owners);
        out.sort(Comparator.comparingInt(m -> loadClass(loads.getOrDefault(m.id(), 0.0))));
        return out;
    }

    static int loadClass(double load) {
        return (int) Math.min(Math.floor(Math.max(0, load) / LOAD_CLASS), 1 / LOAD_CLASS - 1);
    }

    public int defaultReplicas() {
        return defaultReplicas;
    }

    static List<Member> owners(String key, List<Member> candidates, int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, was " + replicas);
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        List<Scored> scored = new ArrayList<>(candidates.size());
        for (Member m : candidates) {
            scored.add(new Scored(m, score(k, m.id())));
        }
        scored.sort(Comparator.comparingLong(Scored::score).reversed().thenComparing(s -> s.member.id()));
        List<Member> out = new ArrayList<>(Math.min(replicas, scored.size()));
        for (int i = 0; i < scored.size() && i < replicas; i++) {
            out.add(scored.get(i).member);
        }
        return out;
    }

    /** 64-bit MurmurHash3 of key, a separator, and member id: independent per (key, member) pair. */
    static long score(byte[] key, String memberId) {
        byte[] id = memberId.getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[key.length + 1 + id.length];
        System.arraycopy(key, 0, both, 0, key.length);
        both[key.length] = 0;
        System.arraycopy(id, 0, both, key.length + 1, id.length);
        return MurmurHash3.MurmurHash3_x64_64(both, 0x5bd1e995);
    }

    private record Scored(Member member, long score) {
    }
}
