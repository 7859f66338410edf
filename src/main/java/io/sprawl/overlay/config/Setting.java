package io.sprawl.overlay.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * One setting: its key, its default, why the default is what it is, and how a raw string becomes
 * a value. A parser throws {@link IllegalArgumentException} whose message says what is allowed;
 * {@link #read} turns that into a {@link SettingException} naming the key and the value.
 */
public final class Setting<T> {

    private final String key;
    private final String defaultValue;
    private final String reason;
    private final Function<String, T> parser;
    private final boolean secret;

    Setting(String key, String defaultValue, String reason, Function<String, T> parser) {
        this(key, defaultValue, reason, parser, false);
    }

    private Setting(String key, String defaultValue, String reason, Function<String, T> parser, boolean secret) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.reason = reason;
        this.parser = parser;
        this.secret = secret;
    }

    /** A setting whose value is a secret: an error names its key and length, never the value. */
    static <T> Setting<T> secret(String key, String reason, Function<String, T> parser) {
        return new Setting<>(key, "", reason, parser, true);
    }

    /** The value as an error may show it: a secret's only as its length. */
    public String shown(String raw) {
        return secret && raw != null && !raw.isEmpty() ? "(secret, " + raw.length() + " characters)" : raw;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String reason() {
        return reason;
    }

    /** The value from the source, or the default when the source has none. */
    public T read(Function<String, Optional<String>> source) {
        String raw = source.apply(key).map(String::trim).orElse(defaultValue);
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new SettingException(key, shown(raw), e.getMessage());
        }
    }
}
