package io.sprawl.overlay.threads;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads the core owns: each one named for its job and node, a daemon (a node that is not
 * closed never holds the JVM), with a bounded queue, and a rejection that is logged rather than
 * thrown at the caller (a full queue means the work is already far behind; the caller, often a
 * JGroups or Infinispan thread, must not fail for it). Which thread owns which state: see
 * {@code package-info.java}.
 */
public final class OwnedExecutors {

    private static final Logger LOG = Logger.getLogger(OwnedExecutors.class.getName());

    private OwnedExecutors() {
    }

    /** One thread running tasks in order, at most {@code capacity} waiting. */
    public static ExecutorService single(String name, int capacity) {
        return single(name, capacity, false);
    }

    /**
     * As {@link #single}, but a task the full queue cannot take is refused with a
     * {@link RejectedExecutionException} (after the same warning): for a caller that must know, as one that
     * queues a task at most once and would otherwise wait for it for good.
     */
    public static ExecutorService singleRefusing(String name, int capacity) {
        return single(name, capacity, true);
    }

    private static ExecutorService single(String name, int capacity, boolean refuse) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                daemon(name), new LogAndDrop(name, capacity, refuse));
    }

    static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Drops a task the queue cannot take and says so at WARNING (the first, then every 100th, so a
     * stuck consumer does not flood the log). After shutdown a drop is expected and silent. A refusing one
     * then also throws {@link RejectedExecutionException}, so its caller knows.
     */
    static final class LogAndDrop implements RejectedExecutionHandler {
        private final String name;
        private final int capacity;
        private final boolean refuse;
        private final AtomicLong dropped = new AtomicLong();

        LogAndDrop(String name, int capacity, boolean refuse) {
            this.name = name;
            this.capacity = capacity;
            this.refuse = refuse;
        }

        @Override
        public void rejectedExecution(Runnable task, ThreadPoolExecutor executor) {
            if (executor.isShutdown()) {
                if (refuse) {
                    throw new RejectedExecutionException(name + " is stopped");
                }
                return;
            }
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                LOG.log(Level.WARNING, () -> "thread " + name + " is " + capacity + " tasks behind: dropped a task ("
                        + n + " dropped since start)");
            }
            if (refuse) {
                throw new RejectedExecutionException(name + " is " + capacity + " tasks behind");
            }
        }

        long dropped() {
            return dropped.get();
        }
    }
}
