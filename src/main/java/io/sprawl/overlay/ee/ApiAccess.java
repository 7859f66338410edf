package io.sprawl.overlay.ee;

import io.sprawl.overlay.config.ApiConfig;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Who may call the API. Every write (any method but GET, HEAD and OPTIONS) needs a user of the
 * {@code admin} role; reads are open unless {@code sprawl.http.require-reader}, and then need
 * {@code reader} or {@code admin}; {@code /overlay/health/check} stays open for load balancers.
 *
 * <p>The user and password are checked by Liberty ({@link HttpServletRequest#login} against the
 * server's basicRegistry); roles are the registry's groups of the same name (Liberty's default role
 * mapping). Done here rather than by web.xml constraints so that the rule can follow a setting and
 * every refusal is JSON like the API's other errors. Credentials are taken only over HTTPS: Basic
 * authentication on plain HTTP would show the password to the network.
 */
@Provider
@Priority(Priorities.AUTHENTICATION)
public class ApiAccess implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(ApiAccess.class.getName());

    static final String ADMIN = "admin";
    static final String READER = "reader";
    static final String REALM = "sprawl-overlay";
    /** The request property naming the authenticated user. */
    static final String USER = "io.sprawl.overlay.user";

    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> ALWAYS_OPEN = Set.of("health/check");

    @Inject
    OverlayNode node;

    @Context
    HttpServletRequest http;

    @Override
    public void filter(ContainerRequestContext request) {
        boolean write = !READS.contains(request.getMethod());
        String path = request.getUriInfo().getPath().replaceFirst("^/", ""); // "health/check", with or without the slash
        boolean readsClosed = node.api().map(ApiConfig::requireReader).orElse(false);
        if (!write && (!readsClosed || ALWAYS_OPEN.contains(path))) {
            return;
        }
        String user = authenticate(request, write);
        if (user == null) {
            return; // refused: abortWith was called
        }
        // For the resources that record who asked (a recovered majority): a servlet request attribute.
        request.setProperty(USER, user);
        if (write) {
            LOG.info("admin request by " + user + " from " + http.getRemoteAddr() + ": " + request.getMethod()
                    + " /overlay/" + path);
        }
    }

    /** The user if the request may go on, else null after answering it with 401 or 403. */
    private String authenticate(ContainerRequestContext request, boolean write) {
        String need = write ? "an admin (group admin)" : "a reader (group reader or admin)";
        if (!http.isSecure()) {
            request.abortWith(ErrorMappers.json(403, "https-required", "this request needs " + need
                    + ", and credentials are taken only over HTTPS: call the node's HTTPS port (sprawl.https.port)"));
            return null;
        }
        String[] login = basic(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (login == null) {
            request.abortWith(challenge("unauthenticated", "this request needs " + need
                    + ": send its user and password (HTTP Basic authentication)"));
            return null;
        }
        // Liberty authenticates a Basic header by itself when it is right; login() tells a wrong one.
        if (http.getUserPrincipal() == null) {
            try {
                http.login(login[0], login[1]);
            } catch (ServletException e) {
                request.abortWith(challenge("bad-credentials", "the user name or password is wrong"));
                return null;
            }
        }
        try {
            String user = http.getUserPrincipal().getName();
            boolean allowed = http.isUserInRole(ADMIN) || (!write && http.isUserInRole(READER));
            if (!allowed) {
                request.abortWith(ErrorMappers.json(403, "forbidden", "user " + user + " is not allowed this: it"
                        + " needs " + need));
                return null;
            }
            return user;
        } finally {
            logout();
        }
    }

    /** Checked, then logged out at once: an API call leaves no session or single-sign-on cookie behind. */
    private void logout() {
        try {
            http.logout();
        } catch (ServletException e) {
            LOG.fine("logout after an API request: " + e);
        }
    }

    private static Response challenge(String code, String message) {
        Response r = ErrorMappers.json(401, code, message);
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"").build();
    }

    /** {user, password} from a Basic Authorization header, or null when there is none or it is malformed. */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }
}
