package io.sprawl.overlay.testkit;

import io.sprawl.overlay.testkit.Http.Reply;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of real Liberty servers run by {@code server-config/local-cluster.sh} on a test's own
 * ports and folder, and what its nodes' APIs say.
 */
public final class LauncherCluster {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    private final Path dir;
    private final int httpBase;
    private final int httpsBase;
    /** SPRAWL_PORT_STEP: 1, or 0 when every node, on its own address, uses the base ports. */
    private final int portStep;
    private final Map<String, String> env;
    private final List<String> addresses;

    public LauncherCluster(String folder, String name, int httpBase, int httpsBase, int gossipBase) {
        this(folder, name, httpBase, httpsBase, gossipBase, Map.of());
    }

    /** With more launcher settings, e.g. SPRAWL_PKI_DIR for certificates of another cluster's CA. */
    public LauncherCluster(String folder, String name, int httpBase, int httpsBase, int gossipBase,
            Map<String, String> more) {
        this.dir = ROOT.resolve("target").resolve(folder);
        this.httpBase = httpBase;
        this.httpsBase = httpsBase;
        this.portStep = Integer.parseInt(more.getOrDefault("SPRAWL_PORT_STEP", "1"));
        Map<String, String> e = new java.util.HashMap<>(more);
        e.put("SPRAWL_CLUSTER_DIR", dir.toString());
        e.put("SPRAWL_HTTP_BASE", Integer.toString(httpBase));
        e.put("SPRAWL_HTTPS_BASE", Integer.toString(httpsBase));
        e.put("SPRAWL_GOSSIP_BASE", Integer.toString(gossipBase));
        e.put("SPRAWL_CLUSTER_NAME", name);
        this.env = Map.copyOf(e);
        String given = e.getOrDefault("SPRAWL_NODE_ADDRESSES", "").trim();
        this.addresses = given.isEmpty() ? List.of() : List.of(given.split("\\s+"));
    }

    /** Node i's address: 127.0.0.1, or its own in a network namespace (SPRAWL_NODE_ADDRESSES). */
    public String host(int i) {
        return i < addresses.size() ? addresses.get(i) : "127.0.0.1";
    }

    /** Node i's HTTP base URL. */
    public String http(int i) {
        return "http://" + host(i) + ":" + httpPort(i);
    }

    public Path dir() {
        return dir;
    }

    public int httpPort(int i) {
        return httpBase + i * portStep;
    }

    /** Node i's HTTPS base URL, where the admin API takes credentials. */
    public String https(int i) {
        return "https://" + host(i) + ":" + (httpsBase + i * portStep);
    }

    /** The admin user with the password the launcher made at the first start (its admin.password file). */
    public Http.Login admin() {
        try {
            return new Http.Login("admin", Files.readString(dir.resolve("admin.password")).trim());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("no admin password from the launcher in " + dir, e);
        }
    }

    /** Runs {@code local-cluster.sh} with these arguments; its exit code. */
    public int launcher(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("server-config/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, env, 400);
    }

    /** The server process of node i, from its PID file. */
    public long pid(int i) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("node" + i + ".pid")).trim());
    }

    /** Sends a signal (STOP, CONT, KILL) to node i's server process, which this test started. */
    public void signal(int i, String signal) throws Exception {
        if (run(List.of("kill", "-" + signal, Long.toString(pid(i))), Map.of(), 10) != 0) {
            throw new AssertionError("kill -" + signal + " node" + i + " failed");
        }
    }

    /** Each member as "id STATE incarnation", as node i sees the table; the error when it cannot answer. */
    public List<String> table(int i) {
        Reply r = Http.get(http(i) + "/overlay/api/members");
        if (r.status() != 200) {
            return List.of(r.toString());
        }
        return ((JsonArray) r.json()).stream().map(JsonObject.class::cast)
                .map(m -> m.getString("id") + " " + m.getString("state") + " " + m.getInt("incarnation")).toList();
    }

    /** Node i's membership events about {@code about}, oldest first (member transitions only). */
    public List<JsonObject> events(int i, String about) {
        return allEvents(i).stream().filter(e -> e.getString("type").equals("member")
                && e.getString("node").equals(about)).toList();
    }

    /** Node i's whole event history, member transitions and leader changes, oldest first. */
    public List<JsonObject> allEvents(int i) {
        JsonArray events = (JsonArray) Http.get(http(i) + "/overlay/api/events").json();
        return events.stream().map(JsonObject.class::cast).toList();
    }

    /** Node i's {@code /overlay/api/leader}, or null when it cannot answer. */
    public JsonObject leader(int i) {
        Reply r = Http.get(http(i) + "/overlay/api/leader");
        return r.status() == 200 ? (JsonObject) r.json() : null;
    }

    /**
     * Waits until each of {@code nodes} names the same leader in the same term, above {@code aboveTerm};
     * returns that view of the first of them.
     */
    public JsonObject awaitOneLeader(List<Integer> nodes, int aboveTerm, java.time.Duration timeout) {
        Await.until("one leader above term " + aboveTerm + " on nodes " + nodes, timeout, () -> {
            java.util.Set<String> named = new java.util.TreeSet<>();
            for (int i : nodes) {
                JsonObject v = leader(i);
                if (v == null || v.isNull("leader") || v.getInt("term") <= aboveTerm) {
                    return false;
                }
                named.add(v.getString("leader") + "@" + v.getInt("term"));
            }
            return named.size() == 1;
        }, () -> nodes.stream().map(this::leader).toList());
        return leader(nodes.get(0));
    }

    /** Runs a command (bounded in time), its output appended to {@code commands.log} in the cluster's folder. */
    public int run(List<String> cmd, Map<String, String> extraEnv, long timeoutSeconds)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        File log = dir.resolve("commands.log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s; see " + log);
        }
        return p.exitValue();
    }
}
