package io.sprawl.overlay.election;

import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;

/**
 * A merge of partitions: the leader that survives it takes a new term once the leader cache is past
 * the merge. Synchronous on Infinispan's thread: it only arms a gate.
 */
@Listener(sync = true)
final class MergeViewListener {

    private final Runnable merged;

    MergeViewListener(Runnable merged) {
        this.merged = merged;
    }

    @Merged
    public void merged(MergeEvent e) {
        merged.run();
    }
}
