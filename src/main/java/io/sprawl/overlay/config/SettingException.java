package io.sprawl.overlay.config;

/**
 * A setting whose value is not allowed. The message is the one line an operator sees in the log:
 * the key, the value, and what is allowed.
 */
public final class SettingException extends RuntimeException {

    private final String key;

    public SettingException(String key, String value, String allowed) {
        super(key + "=" + (value == null ? "" : value) + " is not allowed: " + allowed);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
