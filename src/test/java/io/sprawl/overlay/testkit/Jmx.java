package io.sprawl.overlay.testkit;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX client from outside the server process: through Liberty's localConnector (the address file it
 * writes), or remotely through its REST connector over HTTPS with a user and password, with the
 * client Liberty ships (wlp/clients/restConnector.jar).
 */
public final class Jmx {

    private Jmx() {
    }

    /**
     * Connects to {@code https://127.0.0.1:httpsPort/IBMJMXConnectorREST} as this user. The test servers'
     * certificates are Liberty's self-signed ones, so the connection trusts any (a test tool only).
     */
    public static JMXConnector remote(Path wlp, int httpsPort, String user, String password) throws Exception {
        ClassLoader client = new URLClassLoader(new URL[] {wlp.resolve("clients/restConnector.jar").toUri().toURL()},
                Jmx.class.getClassLoader());
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnectorFactory.PROTOCOL_PROVIDER_PACKAGES, "com.ibm.ws.jmx.connector.client");
        env.put(JMXConnectorFactory.PROTOCOL_PROVIDER_CLASS_LOADER, client);
        env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        env.put("com.ibm.ws.jmx.connector.client.disableURLHostnameVerification", Boolean.TRUE);
        env.put("com.ibm.ws.jmx.connector.client.CUSTOM_SSLSOCKETFACTORY", Http.trustAll().getSocketFactory());
        JMXServiceURL url = new JMXServiceURL("rest", "127.0.0.1", httpsPort, "/IBMJMXConnectorREST");
        return JMXConnectorFactory.connect(url, env);
    }

    /** Connects to the server in {@code serverDir} ({@code wlp/usr/servers/<name>}). */
    public static JMXConnector connect(Path serverDir) throws IOException {
        Path address = serverDir.resolve("logs/state/com.ibm.ws.jmx.local.address");
        return JMXConnectorFactory.connect(new JMXServiceURL(Files.readString(address).trim()));
    }
}
