package io.sprawl.overlay.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.config.LeaderConfig;
import io.sprawl.overlay.membership.Member;
import io.sprawl.overlay.membership.MemberState;
import io.sprawl.overlay.testkit.Await;
import io.sprawl.overlay.threads.OwnedExecutors;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leadership on its real election thread, with a store whose writes take a while (as a replicated
 * write does), while requests arrive from many threads at once: every request is answered, exactly one
 * step-down hands over, and the rest are refused with a reason, none lost behind a write in flight.
 */
class LeadershipThreadTest {

    private final ExecutorService election = OwnedExecutors.single("test-election", 64);
    private final ScheduledExecutorService network = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService callers = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        election.shutdownNow();
        network.shutdownNow();
        callers.shutdownNow();
    }

    /** One record, conditional writes that complete 20 ms later on another thread. */
    private final class SlowStore implements LeaderStore {
        private volatile LeaderRecord record;

        @Override
        public boolean available() {
            return true;
        }

        @Override
        public LeaderRecord read() {
            return record;
        }

        @Override
        public synchronized CompletionStage<Boolean> compareAndSet(LeaderRecord expected, LeaderRecord next) {
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            network.schedule(() -> {
                synchronized (this) {
                    boolean ok = Objects.equals(record, expected);
                    if (ok) {
                        record = next;
                    }
                    f.complete(ok);
                }
            }, 20, TimeUnit.MILLISECONDS);
            return f;
        }

        @Override
        public CompletionStage<Boolean> replaceTerm(LeaderRecord expected, LeaderRecord next) {
            return compareAndSet(expected, next);
        }

        @Override
        public String reconcile() {
            return "one copy";
        }
    }

    private static Member healthy(String id) {
        return new Member(id, MemberState.HEALTHY, 1, "127.0.0.1", 7800, 9080, "", "", Map.of(), Map.of(), "t", 0, 1, 0,
                0, 0, "t-" + id, "1-2");
    }

    @Test
    void concurrentStepDownsAndALeaveDuringRenewalsAreEachAnswered() throws Exception {
        SlowStore store = new SlowStore();
        List<Member> table = List.of(healthy("a"), healthy("b"), healthy("c"));
        Leadership a = new Leadership("a", LeaderConfig.defaults(), store, () -> table, Map::of, () -> null, id -> false, Clock.systemUTC(),
                System::nanoTime, election, (p, l, t, r) -> { }, () -> true);
        // Renewals keep a write in flight most of the time, as the election timer does.
        network.scheduleAtFixedRate(a::recheck, 0, 10, TimeUnit.MILLISECONDS);
        Await.until("a to lead", Duration.ofSeconds(10), a::isLeader);

        List<CompletableFuture<CompletableFuture<?>>> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(CompletableFuture.supplyAsync(a::stepDown, callers));
        }
        requests.add(CompletableFuture.supplyAsync(a::handOverBeforeLeaving, callers));
        List<CompletableFuture<?>> asked = requests.stream().<CompletableFuture<?>>map(CompletableFuture::join).toList();
        int handedOver = 0;
        List<String> refusals = new ArrayList<>();
        for (CompletableFuture<?> f : asked) {
            try {
                Object v = f.get(10, TimeUnit.SECONDS); // a lost request would time out here
                if (v instanceof Leadership.View view) {
                    assertEquals("b", view.leader(), "handed to the best other: " + view);
                    handedOver++;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof Leadership.Refused, e.toString());
                refusals.add(((Leadership.Refused) e.getCause()).code());
            }
        }
        assertEquals(1, handedOver, "one step-down hands over; refused: " + refusals);
        assertTrue(refusals.stream().allMatch(c -> c.equals("not-leader") || c.equals("busy")), refusals.toString());
        assertEquals("b", store.read().leader());
    }
}
