package io.sprawl.overlay.membership;

/**
 * Told of every transition, in order, on the membership's notifier thread (never under its lock,
 * never on a transport thread), so a listener may call back into the overlay.
 */
@FunctionalInterface
public interface MembershipListener {
    void onEvent(MembershipEvent event);
}
