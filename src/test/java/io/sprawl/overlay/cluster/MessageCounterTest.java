package io.sprawl.overlay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sprawl.overlay.membership.MemberRecord;
import io.sprawl.overlay.membership.MembershipManager;
import io.sprawl.overlay.membership.RecordStatus;
import io.sprawl.overlay.testkit.Await;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.Cache;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The message count on a real (local) Infinispan cache: exact locally under concurrent adds, the
 * latest count published although adds that come during a publication are folded into the next one,
 * and totals over the live members only.
 */
class MessageCounterTest {

    private final DefaultCacheManager manager = new DefaultCacheManager();
    private final MembershipManager membership = new MembershipManager("a", Clock.systemUTC(), 60_000, 100);
    private final AtomicLong marked = new AtomicLong();
    private Cache<String, Long> cache;
    private MessageCounter counter;

    @BeforeEach
    void start() {
        manager.defineConfiguration("messages", new org.infinispan.configuration.cache.ConfigurationBuilder().build());
        cache = manager.getCache("messages");
        counter = new MessageCounter("a", cache, membership, marked::addAndGet);
        membership.viewChanged(1, Set.of("ta", "tb"));
        membership.recordChanged(record("a", "ta"));
        membership.recordChanged(record("b", "tb"));
    }

    @AfterEach
    void stop() {
        membership.close();
        manager.stop();
    }

    private static MemberRecord record(String id, String transport) {
        return new MemberRecord(id, transport, "127.0.0.1", 7800, 9080, "test", 1, 1, "", "", Map.of(), Map.of(), 1, 1,
                RecordStatus.ALIVE, 0);
    }

    @Test
    void concurrentAddsAreExactAndTheLastCountIsPublished() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 4; t++) {
            threads.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 2_500; i++) {
                    counter.add(1);
                }
            });
        }
        go.countDown();
        threads.shutdown();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(10_000, counter.local());
        assertEquals(10_000, marked.get(), "every add reaches the metrics");
        Await.until("the last count published", Duration.ofSeconds(10), () -> Long.valueOf(10_000).equals(cache.get("a")));
    }

    @Test
    void totalsCountTheLiveMembersOnly() {
        counter.add(5);
        cache.put("b", 7L);
        cache.put("gone", 100L); // a node no longer in the table
        assertEquals(Map.of("a", 5L, "b", 7L), counter.byNode());
        assertEquals(12, counter.clusterTotal());

        membership.viewChanged(2, Set.of("ta")); // b left the view: FAILED, not live
        assertEquals(Map.of("a", 5L), counter.byNode());
        assertEquals(5, counter.clusterTotal());
    }
}
