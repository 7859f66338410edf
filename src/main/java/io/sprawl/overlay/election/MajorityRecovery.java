package io.sprawl.overlay.election;

import io.sprawl.overlay.membership.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's way out of a majority lost to crashes. The leader cache denies reads and writes on a side
 * without a strict majority of the last agreed (stable) membership, and Infinispan cannot tell members that
 * crashed from members cut off behind a partition: after 3 of 5 crash the two survivors wait, without a
 * leader, for members that will never come back. Only a person who knows they are gone may say so. This
 * class holds the rules (pure, table-tested); {@link Election#recoverMajority} applies them to the cache.
 *
 * <p>Why this is safe only as stated: if a "lost" member is in fact alive behind a partition, its side may
 * still hold the majority and a leader, and forcing this side available makes a second one. The rules
 * therefore refuse while this side is available (a majority is reachable), and unless the operator names
 * exactly the members of the last agreed membership missing from this side's view: none that this node
 * can see, and none left out.
 */
public final class MajorityRecovery {

    private MajorityRecovery() {
    }

    /** A recovery the rules refuse: {@code code} for the API's error, the message for the operator. */
    public static final class Refused extends Exception {
        private final String code;

        public Refused(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /**
     * What was done: {@code lost} the members confirmed gone, {@code survivors} the side made available
     * (node ids, or transport ids where no record names them), {@code by} the operator.
     */
    public record Outcome(List<String> lost, List<String> survivors, String by) {
    }

    /**
     * Checks a request to recover.
     *
     * @param available whether the leader cache is available on this side already
     * @param stable    the transport ids of the last agreed membership
     * @param view      the transport ids of this side's view
     * @param members   the member table (ids, transport ids)
     * @param confirmed the node ids the operator confirms are gone
     * @return the lost members, by node id, sorted
     */
    public static List<String> check(boolean available, Set<String> stable, Set<String> view, List<Member> members,
            Set<String> confirmed) throws Refused {
        if (available) {
            throw new Refused("majority-reachable", "this side holds a majority of the last agreed membership "
                    + "(the leader cache is available): there is nothing to recover");
        }
        Map<String, String> idOf = members.stream().collect(Collectors.toMap(Member::transportId, Member::id,
                (a, b) -> a));
        Function<String, String> name = t -> idOf.getOrDefault(t, t);
        Set<String> missing = new TreeSet<>();
        stable.stream().filter(t -> !view.contains(t)).map(name).forEach(missing::add);
        Set<String> inView = new TreeSet<>();
        view.stream().map(name).forEach(inView::add);
        List<String> problems = new ArrayList<>();
        for (String c : new TreeSet<>(confirmed)) {
            if (inView.contains(c)) {
                throw new Refused("not-lost", c + " is in this node's view: it is not lost (this side's view: "
                        + inView + ")");
            }
            if (!missing.contains(c)) {
                problems.add(c);
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("not-in-membership", problems + " not in the last agreed membership; its members missing"
                    + " from this side are " + missing);
        }
        if (missing.isEmpty()) {
            throw new Refused("nothing-missing", "no member of the last agreed membership is missing from this side's"
                    + " view: the leader cache is unavailable for another reason (a merge still resolving?)");
        }
        if (!confirmed.containsAll(missing)) {
            Set<String> left = new TreeSet<>(missing);
            left.removeAll(confirmed);
            throw new Refused("unconfirmed", "every member missing from this side must be confirmed lost: " + missing
                    + "; not confirmed: " + left);
        }
        return List.copyOf(missing);
    }
}
