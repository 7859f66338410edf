package io.sprawl.overlay.ee;

import io.sprawl.overlay.membership.MembershipEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The membership event history ({@code ?since=seq}) and a live stream of new events (server-sent events). */
@Path("api/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventsResource {

    @Inject
    OverlayNode node;

    @Inject
    EventStream stream;

    @GET
    public List<MembershipEvent> events(@QueryParam("since") String since) {
        return node.require().membership().events(parseSince(since));
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void stream(@Context SseEventSink sink, @Context Sse sse) {
        if (!stream.admit(sink)) {
            throw new ApiException(503, "too-many-streams", EventStream.MAX_STREAMS + " event streams are open on this"
                    + " node, the most it serves; close one, or read /overlay/api/events?since=seq");
        }
        List<MembershipEvent> history = node.require().membership().events(0);
        long lastSeq = history.isEmpty() ? 0 : history.get(history.size() - 1).seq();
        // At once, so the client knows the stream is open and where to resume with ?since= after a reconnect.
        sink.send(sse.newEventBuilder().name("ready").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(java.util.Map.class, java.util.Map.of("lastSeq", lastSeq)).build());
        stream.register(sink, sse);
    }

    static long parseSince(String since) {
        if (since == null || since.isEmpty()) {
            return 0;
        }
        try {
            long v = Long.parseLong(since);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw ApiException.badRequest("bad-since", "since=" + ApiException.shown(since)
                + " is not allowed: a sequence number, a whole number from 0 (events after it are returned)");
    }

    /** Fans membership events out to every open stream; at most {@link #MAX_STREAMS} at once. */
    @ApplicationScoped
    public static class EventStream {
        /** Open streams one node serves: each holds a connection and a thread's worth of buffers. */
        static final int MAX_STREAMS = 64;

        /** The streams admitted; closed ones are dropped at the next admission. */
        private final Set<SseEventSink> open = ConcurrentHashMap.newKeySet();
        private volatile SseBroadcaster broadcaster;
        private volatile Sse sse;

        /** Takes a place for a new stream; false when every place is taken by a stream still open. */
        synchronized boolean admit(SseEventSink sink) {
            open.removeIf(SseEventSink::isClosed);
            return open.size() < MAX_STREAMS && open.add(sink);
        }

        synchronized void register(SseEventSink sink, Sse context) {
            if (broadcaster == null) {
                sse = context;
                broadcaster = context.newBroadcaster();
            }
            broadcaster.register(sink);
        }

        void onEvent(@Observes MembershipEvent e) {
            SseBroadcaster b = broadcaster;
            if (b != null) {
                OutboundSseEvent out = sse.newEventBuilder().name("membership").id(Long.toString(e.seq()))
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(MembershipEvent.class, e).build();
                b.broadcast(out);
            }
        }
    }
}
