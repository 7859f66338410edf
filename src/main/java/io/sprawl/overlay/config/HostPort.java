package io.sprawl.overlay.config;

/** A seed address: host (name, IPv4, or bracketed IPv6) and TCP port. */
public record HostPort(String host, int port) {

    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon <= 0 ? "" : text.substring(0, colon);
        String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (host.isEmpty() || host.contains(" ") || p < 1 || p > 65535) {
            throw new IllegalArgumentException("expected comma-separated host:port seeds with ports 1-65535, e.g. "
                    + "10.0.0.1:7800,10.0.0.2:7800; '" + text + "' is not one");
        }
        return new HostPort(host, p);
    }

    /** Comma-separated {@code host:port} list; may be empty. */
    public static java.util.List<HostPort> parseList(String text) {
        java.util.List<HostPort> out = new java.util.ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part.trim()));
            }
        }
        return java.util.List.copyOf(out);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
