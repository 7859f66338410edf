package io.sprawl.overlay.ee;

import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every error leaves the API as JSON {@code {"error", "message"}}, never as an HTML page or a stack trace. */
final class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    static Response json(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(code, message))
                .build();
    }

    @Provider
    public static final class Api implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            return json(e.status(), e.code(), e.getMessage());
        }
    }

    /** JAX-RS' own refusals: unknown path 404, wrong method 405, unsupported type 415, ... */
    @Provider
    public static final class Web implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            Response.StatusType s = e.getResponse().getStatusInfo();
            String code = s.getReasonPhrase().toLowerCase(Locale.ROOT).replace(' ', '-');
            Throwable cause = e.getCause();
            if (cause instanceof JsonbException || cause instanceof jakarta.json.JsonException) {
                return json(400, "bad-json", "the body is not the JSON expected: " + cause.getMessage());
            }
            return json(s.getStatusCode(), code, e.getMessage());
        }
    }

    @Provider
    public static final class Json implements ExceptionMapper<JsonbException> {
        @Override
        public Response toResponse(JsonbException e) {
            return json(400, "bad-json", "the body is not the JSON expected: " + e.getMessage());
        }
    }

    /**
     * Anything else is our fault: logged with its stack under a reference, answered with that reference
     * only. An exception's text can carry internals (paths, addresses, a peer's data) that a caller
     * has no business reading.
     */
    @Provider
    public static final class Unexpected implements ExceptionMapper<Throwable> {
        @Override
        public Response toResponse(Throwable e) {
            String ref = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
            LOG.log(Level.WARNING, "unexpected error in the overlay API (reference " + ref + ")", e);
            return json(500, "internal", "an internal error; the node's log has the details under reference " + ref);
        }
    }
}
