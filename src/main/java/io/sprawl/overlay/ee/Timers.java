package io.sprawl.overlay.ee;

import jakarta.ejb.Timer;

/** What the timer beans share. */
final class Timers {

    private Timers() {
    }

    /** Cancels a timer at stop; the container may have cancelled it already. */
    static void cancel(Timer timer) {
        if (timer != null) {
            try {
                timer.cancel();
            } catch (RuntimeException e) {
                // already cancelled or the bean is going away: nothing left to stop
            }
        }
    }
}
