package io.sprawl.overlay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** A JMX client from outside the server process, through Liberty's localConnector (the address file it writes). */
public final class Jmx {

    private Jmx() {
    }

    /** Connects to the server in {@code serverDir} ({@code wlp/usr/servers/<name>}). */
    public static JMXConnector connect(Path serverDir) throws IOException {
        Path address = serverDir.resolve("logs/state/com.ibm.ws.jmx.local.address");
        return JMXConnectorFactory.connect(new JMXServiceURL(Files.readString(address).trim()));
    }
}
