package io.sprawl.overlay;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The overlay's build version, from the filtered {@code version.properties}; published in every member record. */
public final class OverlayVersion {

    public static final String VALUE = load();

    private OverlayVersion() {
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = OverlayVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through: unknown version
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "dev" : v;
    }
}
