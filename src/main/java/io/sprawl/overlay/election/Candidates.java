package io.sprawl.overlay.election;

import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Who should lead, as a pure function of one node's member table. Every node applies the same rules
 * to the same table, so nodes that agree on the table agree on the leader. Whether this side may
 * have a leader at all (a strict majority of the last agreed membership) and the term that makes
 * the choice stick are {@link Leadership}'s.
 *
 * <ul>
 *   <li><b>Eligibility.</b> A {@code HEALTHY} member whose capabilities do not say
 *       {@code leader-eligible=false}. A {@code SUSPECT} leader keeps leading until it is
 *       {@code FAILED}, so a false suspicion never moves the leadership.</li>
 *   <li><b>Order.</b> Members of the preferred site first, then the higher score (declared
 *       {@code weight}, default 1, times one minus the node's forecast load from its shared
 *       metrics), then the smaller id: deterministic on every node.</li>
 *   <li><b>Stickiness.</b> A leader that is still eligible stays unless the best candidate is in the
 *       preferred site while it is not, or (once the leader has served its minimum tenure) scores more
 *       than {@code hysteresis} above it.</li>
 *   <li><b>Not on the coordinator.</b> The transport's coordinator counts {@code hysteresis} less unless it
 *       leads already: when the leader's process is also the coordinator's, its crash costs JGroups' and
 *       Infinispan's coordinator takeover too (the first leader crash of the leader benchmark, always on the
 *       first node started: 1.1-1.2 s against 0.37-0.80 s for the others). A sitting leader that becomes the
 *       coordinator stays: moving it would be a leader change of its own.</li>
 * </ul>
 */
public final class Candidates {

    public static final String ELIGIBLE = "leader-eligible";
    public static final String WEIGHT = "weight";

    private Candidates() {
    }

    /** The outcome: the leader (null for none) and why, in words for the events history. */
    public record Decision(String leader, String reason) {
    }

    /**
     * @param members       this node's member table
     * @param current       the leader now, or null
     * @param load          each member's shared load in [0, 1]; members absent count as 0
     * @param preferredSite the site to prefer, or empty for none
     * @param hysteresis    how much higher a candidate's score must be to take over from a healthy leader
     * @param notCandidates members that may not be chosen now (a leader that just stepped down)
     * @param mayRebalance  false keeps a healthy leader whatever the scores (its minimum tenure has not
     *                      passed), so noisy loads cannot move the leadership back and forth
     * @param coordinator   the transport id of the transport's coordinator, or null: to be chosen, it must beat the
     *                      others by {@code hysteresis} (see the class comment)
     */
    public static Decision decide(List<Member> members, String current, Map<String, Double> load,
            String preferredSite, double hysteresis, Set<String> notCandidates, boolean mayRebalance,
            String coordinator) {
        List<Member> eligible = new ArrayList<>();
        for (Member m : members) {
            if (m.state() == MemberState.HEALTHY && eligible(m) && !notCandidates.contains(m.id())) {
                eligible.add(m);
            }
        }
        Member sitting = current == null ? null : members.stream().filter(m -> m.id().equals(current)).findFirst()
                .orElse(null);
        boolean sittingCanStay = sitting != null && sitting.state().live() && eligible(sitting)
                && !notCandidates.contains(current);
        if (eligible.isEmpty()) {
            return sittingCanStay ? new Decision(current, "kept: " + current + " is " + sitting.state())
                    : new Decision(null, "no eligible healthy member");
        }
        ToDoubleFunction<Member> rank = m -> score(m, load)
                - (m.transportId().equals(coordinator) && !m.id().equals(current) ? hysteresis : 0);
        Comparator<Member> order = Comparator.comparing((Member m) -> !inSite(m, preferredSite))
                .thenComparing(m -> -rank.applyAsDouble(m))
                .thenComparing(Member::id);
        eligible.sort(order);
        Member best = eligible.get(0);
        if (sittingCanStay) {
            boolean betterSite = inSite(best, preferredSite) && !inSite(sitting, preferredSite);
            // Absolute, not relative: near saturation every score is near 0, and any ratio between them is large.
            boolean muchBetter = mayRebalance && rank.applyAsDouble(best) > score(sitting, load) + hysteresis;
            if (best.id().equals(current) || !(betterSite || muchBetter)) {
                return new Decision(current, "kept: " + current + " is " + sitting.state());
            }
            return new Decision(best.id(), "replaced " + current + ": " + best.id()
                    + (betterSite ? " is in the preferred site " + preferredSite : " scores " + fmt(score(best, load))
                    + " against " + fmt(score(sitting, load))));
        }
        String why = sitting == null ? (current == null ? "no leader" : current + " is gone")
                : current + " is " + (eligible(sitting) ? sitting.state() : "not eligible");
        return new Decision(best.id(), "elected " + best.id() + " (" + why + "; best of " + eligible.size()
                + " eligible, score " + fmt(score(best, load)) + ")");
    }

    static boolean eligible(Member m) {
        return !"false".equalsIgnoreCase(m.capabilities().getOrDefault(ELIGIBLE, "true"));
    }

    /** Declared weight (default 1; unparsable or negative counts as 0) scaled down by shared load. */
    static double score(Member m, Map<String, Double> load) {
        double weight;
        try {
            weight = Math.max(0, Double.parseDouble(m.capabilities().getOrDefault(WEIGHT, "1")));
        } catch (NumberFormatException e) {
            weight = 0;
        }
        double l = Math.max(0, Math.min(1, load.getOrDefault(m.id(), 0.0)));
        return weight * (1 - l);
    }

    private static boolean inSite(Member m, String site) {
        return site != null && !site.isEmpty() && site.equals(m.site());
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
