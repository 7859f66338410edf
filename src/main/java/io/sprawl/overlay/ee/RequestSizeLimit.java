package io.sprawl.overlay.ee;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies above {@code sprawl.http.max-request-bytes} with 413: at once when the
 * Content-Length says so, else after reading at most one byte past the limit (a chunked body).
 * Bodies within the limit are small and buffered here, so no reader ever sees more.
 */
@Provider
public class RequestSizeLimit implements ContainerRequestFilter {

    private static final int DEFAULT_MAX = 65_536;

    @Inject
    OverlayNode node;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        int max = node.gossip().map(g -> g.config().requestMaxBytes()).orElse(DEFAULT_MAX);
        if (request.getLength() > max) {
            request.abortWith(tooLarge(max));
            return;
        }
        if (request.hasEntity()) {
            InputStream in = request.getEntityStream();
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                request.abortWith(tooLarge(max));
                return;
            }
            request.setEntityStream(new ByteArrayInputStream(body));
        }
    }

    private static jakarta.ws.rs.core.Response tooLarge(int max) {
        return ErrorMappers.json(413, "too-large", "the request body is larger than " + max
                + " bytes (sprawl.http.max-request-bytes)");
    }
}
