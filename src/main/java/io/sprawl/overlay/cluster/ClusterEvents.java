package io.sprawl.overlay.cluster;

import io.sprawl.overlay.membership.MemberRecord;
import java.util.function.Consumer;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.annotation.TopologyChanged;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.infinispan.notifications.cachelistener.event.TopologyChangedEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;

/**
 * Infinispan's notifications of views and member records, turned into calls on a {@link Sink}
 * ({@link RecordReconciler}). Synchronous listeners: they
 * run on the thread that applied the change (no extra hop on the propagation path), and only
 * update memory or start asynchronous cache writes, never block.
 */
public final class ClusterEvents {

    public interface Sink {
        void recordChanged(MemberRecord record);

        void recordRemoved(String id);

        /** The records cache's topology changed (a join or a merge): records may have arrived without events. */
        void recordsTopologyChanged();
    }

    @Listener(sync = true)
    public static final class Views {
        private final Consumer<ViewChangedEvent> sink;

        public Views(Consumer<ViewChangedEvent> sink) {
            this.sink = sink;
        }

        /** Infinispan reports a merge view through {@code @Merged} only, not {@code @ViewChanged}. */
        @ViewChanged
        @Merged
        public void viewChanged(ViewChangedEvent e) {
            sink.accept(e);
        }
    }

    @Listener(sync = true, observation = Listener.Observation.POST)
    static final class Records {
        private final Sink sink;

        Records(Sink sink) {
            this.sink = sink;
        }

        @CacheEntryCreated
        @CacheEntryModified
        public void changed(CacheEntryEvent<String, MemberRecord> e) {
            if (e.getValue() != null) {
                sink.recordChanged(e.getValue());
            }
        }

        @CacheEntryRemoved
        public void removed(CacheEntryRemovedEvent<String, MemberRecord> e) {
            sink.recordRemoved(e.getKey());
        }

        @TopologyChanged
        public void topologyChanged(TopologyChangedEvent<String, MemberRecord> e) {
            sink.recordsTopologyChanged();
        }
    }

    private ClusterEvents() {
    }
}
