package io.sprawl.overlay.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Parsers for setting values; each failure message says what is allowed. */
final class Parsers {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_-]+|\\[[0-9A-Fa-f:.]+\\]");

    private Parsers() {
    }

    static Function<String, Integer> intIn(int min, int max, String what) {
        return raw -> {
            try {
                int v = Integer.parseInt(raw);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("expected " + what + ", a whole number from " + min + " to " + max);
        };
    }

    static Function<String, Double> decimalIn(double min, double max, String what) {
        return raw -> {
            try {
                double v = Double.parseDouble(raw);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("expected " + what + ", a decimal number from " + min + " to " + max);
        };
    }

    static Function<String, Boolean> bool() {
        return raw -> {
            if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(raw);
            }
            throw new IllegalArgumentException("expected true or false");
        };
    }

    /** A name usable as a node id or cluster name: letters, digits, '.', '_' and '-', 1 to 63 characters. */
    static Function<String, String> name(String what) {
        return raw -> {
            if (NAME.matcher(raw).matches()) {
                return raw;
            }
            throw new IllegalArgumentException("expected " + what
                    + ": 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        };
    }

    /** Like {@link #name} but may be empty (site, rack). */
    static Function<String, String> optionalName(String what) {
        Function<String, String> name = name(what);
        return raw -> raw.isEmpty() ? "" : name.apply(raw);
    }

    static Function<String, String> host(String what) {
        return raw -> {
            if (!raw.isEmpty() && HOST.matcher(raw).matches()) {
                return raw;
            }
            throw new IllegalArgumentException("expected " + what + ": an IP address or host name");
        };
    }

    /** One {@code host:port}, or empty. */
    static Function<String, String> optionalHostPort(String what) {
        return raw -> {
            if (raw.isEmpty()) {
                return raw;
            }
            try {
                return HostPort.parse(raw).toString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected " + what + " as host:port, e.g. 10.96.0.10:53, or nothing");
            }
        };
    }

    /** Comma-separated {@code host:port} list; may be empty. */
    static Function<String, List<HostPort>> hostPorts() {
        return HostPort::parseList;
    }

    /** Comma-separated {@code key=value} pairs; may be empty. Keys are names, values any text without ',' or '='. */
    static Function<String, Map<String, String>> pairs() {
        return raw -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (String part : raw.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = eq < 0 ? "" : part.substring(0, eq).trim();
                if (eq < 0 || !NAME.matcher(key).matches() || part.indexOf('=', eq + 1) >= 0) {
                    throw new IllegalArgumentException("expected comma-separated key=value pairs (key: letters, digits,"
                            + " '.', '_' or '-'), e.g. leader-eligible=true,weight=2; '" + part.trim() + "' is not one");
                }
                out.put(key, part.substring(eq + 1).trim());
            }
            return Collections.unmodifiableMap(out);
        };
    }

    static <E extends Enum<E>> Function<String, E> oneOf(Class<E> type) {
        return raw -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(raw)) {
                    return e;
                }
            }
            List<String> names = new ArrayList<>();
            for (E e : type.getEnumConstants()) {
                names.add(e.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", names));
        };
    }
}
