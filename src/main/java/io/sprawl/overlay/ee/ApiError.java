package io.sprawl.overlay.ee;

/** The JSON body of every error: a short code and what was wrong and what is allowed. */
public record ApiError(String error, String message) {
}
