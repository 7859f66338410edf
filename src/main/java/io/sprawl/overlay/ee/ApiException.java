package io.sprawl.overlay.ee;

import jakarta.ejb.ApplicationException;

/**
 * A request the API refuses: its HTTP status and the JSON body {@code {"error": code, "message": ...}}.
 * An application exception, so it leaves the EJB singleton as itself, not wrapped in EJBException (a 500).
 */
@ApplicationException
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** A client's value as an error message quotes it: cut to 64 characters, so a huge input is not echoed back. */
    static String shown(String raw) {
        if (raw == null) {
            return "none";
        }
        return raw.length() <= 64 ? raw : raw.substring(0, 64) + "... (" + raw.length() + " characters)";
    }

    static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }
}
