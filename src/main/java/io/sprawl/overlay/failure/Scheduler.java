package io.sprawl.overlay.failure;

/**
 * Runs deadlines within a probe round (a direct ack's timeout, a suspicion's end). A real node uses
 * one daemon thread; state-machine tests use a simulated clock and run due tasks by hand.
 */
public interface Scheduler {

    void schedule(long delayMillis, Runnable task);
}
