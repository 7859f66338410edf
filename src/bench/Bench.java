import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks share: a cluster of real Liberty servers run by server-config/local-cluster.sh
 * on the benchmarks' own ports (HTTP 19080+i, JGroups 17800+i, folder target/bench-cluster), its
 * nodes' APIs, and the figures (median, p99, max). Every wait is bounded. Node i listens on
 * 127.0.0.1, or on the i-th of SPRAWL_NODE_ADDRESSES when a script gives each node its own
 * network namespace (leader-bench.sh).
 */
final class Bench {

    static final int HTTP_BASE = 19080;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final int HTTPS_BASE = 19443;
    /** For the admin's writes over HTTPS: the bench nodes' certificates are Liberty's self-signed ones. */
    static final HttpClient HTTPS;

    static {
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        try {
            javax.net.ssl.SSLContext any = javax.net.ssl.SSLContext.getInstance("TLS");
            any.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            HTTPS = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(any).build();
        } catch (java.security.GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final List<String> ADDRESSES = List.of(System.getenv().getOrDefault("SPRAWL_NODE_ADDRESSES", "")
            .trim().split("\\s+"));

    static Path root;
    static Path dir;
    /** Extra settings for the nodes the launcher starts next (e.g. SPRAWL_PROBE_ENABLED=false). */
    static final Map<String, String> settings = new HashMap<>();

    private Bench() {
    }

    static void init(String rootArg) {
        root = Path.of(rootArg).toAbsolutePath();
        dir = root.resolve("target/bench-cluster");
    }

    static int launcher(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("server-config/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(Map.of("SPRAWL_CLUSTER_DIR", dir.toString(), "SPRAWL_HTTP_BASE",
                Integer.toString(HTTP_BASE), "SPRAWL_HTTPS_BASE", Integer.toString(HTTPS_BASE), "SPRAWL_GOSSIP_BASE", "17800",
                "SPRAWL_CLUSTER_NAME", "sprawl-bench"));
        pb.environment().putAll(settings);
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd + " took over 600 s");
        }
        return p.exitValue();
    }

    /** The server process of node i (a process the launcher started for this benchmark). */
    static ProcessHandle process(int i) throws IOException {
        long pid = Long.parseLong(Files.readString(dir.resolve("node" + i + ".pid")).trim());
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("node" + i + " is not running"));
    }

    /** Saves node i's threads (jcmd Thread.print) beside the logs, for a figure that never came; where they went. */
    static Path threadDump(int i) throws Exception {
        Path out = dir.resolve("node" + i + "-threads-" + System.currentTimeMillis() + ".txt");
        Process p = new ProcessBuilder("jcmd", Long.toString(process(i).pid()), "Thread.print")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        check(p.waitFor(30, TimeUnit.SECONDS), "jcmd Thread.print node" + i);
        return out;
    }

    static void signal(int i, String signal) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(process(i).pid())).inheritIO().start();
        check(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + signal + " node" + i);
    }

    /** Node i's events, each as its JSON text. */
    static List<String> events(int i) throws Exception {
        return objects(get(i, "/overlay/api/events"));
    }

    /** The time of the first event on node i about {@code who} going to {@code to} at or after {@code after}. */
    static long awaitEvent(int i, String who, String to, long after, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            Long t = eventTime(events(i), who, to, after);
            if (t != null) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node" + i + " did not show " + who + " " + to + " in " + timeoutMillis + " ms");
    }

    static Long eventTime(List<String> events, String who, String to, long after) {
        for (String e : events) {
            if (e.contains("\"node\":\"" + who + "\"") && e.contains("\"to\":\"" + to + "\"")) {
                long t = number(e, "time");
                if (t >= after) {
                    return t;
                }
            }
        }
        return null;
    }

    /** The top-level objects of a JSON array, each as its text (nested objects stay inside their parent). */
    static List<String> objects(String jsonArray) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = -1;
        boolean inString = false;
        for (int i = 0; i < jsonArray.length(); i++) {
            char c = jsonArray.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' && depth++ == 0) {
                start = i;
            } else if (c == '}' && --depth == 0) {
                out.add(jsonArray.substring(start, i + 1));
            }
        }
        return out;
    }

    /** A string field that may be null: null then. */
    static String optString(String json, String field) {
        if (json.contains("\"" + field + "\":null")) {
            return null;
        }
        return string(json, field);
    }

    static String string(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        check(m.find(), field + " in " + json);
        return m.group(1);
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        check(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    /** A field with a fraction (e.g. rttEwmaMillis). */
    static double decimal(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9.Ee+-]+)").matcher(json);
        check(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    /** Node i's address. */
    static String host(int i) {
        return ADDRESSES.get(0).isEmpty() ? "127.0.0.1" : ADDRESSES.get(i);
    }

    static URI uri(int node, String path) {
        return URI.create("http://" + host(node) + ":" + (HTTP_BASE + node) + path);
    }

    static String get(int node, String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(node, path)).GET());
    }

    /** A write, as the admin (the password the launcher made, admin.password) over HTTPS. */
    static String put(int node, String path, String json) throws Exception {
        String login = "admin:" + Files.readString(dir.resolve("admin.password")).trim();
        HttpRequest r = HttpRequest.newBuilder(URI.create("https://" + host(node) + ":" + (HTTPS_BASE + node) + path))
                .header("Content-Type", "application/json").header("Authorization", "Basic "
                        + java.util.Base64.getEncoder().encodeToString(login.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(5)).build();
        try {
            return HTTPS.send(r, HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        }
    }

    static String send(HttpRequest.Builder b) throws Exception {
        try {
            return HTTP.send(b.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        }
    }

    /** Node i's table as "id STATE incarnation" rows. */
    static String table(int i) throws Exception {
        return table(get(i, "/overlay/api/members"));
    }

    /** A members response as "id STATE incarnation" rows. */
    static String table(String membersJson) {
        TreeMap<String, String> rows = new TreeMap<>();
        for (String m : objects(membersJson)) {
            rows.put(string(m, "id"), string(m, "state") + " " + number(m, "incarnation"));
        }
        StringBuilder b = new StringBuilder();
        rows.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        return b.toString();
    }

    /** Nodes 0..n-1 but the dead. */
    static List<Integer> survivors(int n, Set<Integer> dead) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!dead.contains(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /** SIGKILLs these nodes at once; when. */
    static long kill(Set<Integer> victims) throws IOException {
        List<ProcessHandle> processes = new ArrayList<>();
        for (int v : victims) {
            processes.add(process(v));
        }
        long killedAt = System.currentTimeMillis();
        processes.forEach(ProcessHandle::destroyForcibly);
        return killedAt;
    }

    /**
     * When every survivor's table is the same, shows each victim FAILED, and {@code also} holds
     * (polled every 50 ms).
     */
    static long awaitAgreement(List<Integer> survivors, Set<Integer> victims, long deadline,
                               BooleanSupplier also) throws Exception {
        while (System.currentTimeMillis() < deadline) {
            Set<String> tables = new HashSet<>();
            boolean victimsFailed = true;
            for (int i : survivors) {
                String t = table(i);
                tables.add(t);
                for (int v : victims) {
                    victimsFailed &= t.contains("node" + v + " FAILED");
                }
            }
            if (tables.size() == 1 && victimsFailed && also.getAsBoolean()) {
                return System.currentTimeMillis();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the survivors " + survivors + " did not agree in time");
    }

    static String row(String name, List<Long> samples) {
        if (samples.isEmpty()) {
            return String.format("%-44s   0        -        -        -", name);
        }
        List<Long> s = new ArrayList<>(samples);
        Collections.sort(s);
        long median = s.get((s.size() - 1) / 2);
        long p99 = s.get((int) Math.ceil(0.99 * s.size()) - 1);
        return String.format("%-44s %3d %8d %8d %8d", name, s.size(), median, p99, s.get(s.size() - 1));
    }

    static final int TICKS_PER_SECOND = 100; // Linux USER_HZ

    /** utime + stime of node i's server process, in clock ticks. */
    static long cpuTicks(int i) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + Bench.process(i).pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static String percent(List<Long> permille) {
        List<Long> s = new ArrayList<>(permille);
        s.sort(Long::compare);
        return String.format("median %.1f, max %.1f", s.get(s.size() / 2) / 10.0, s.get(s.size() - 1) / 10.0);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("failed: " + what);
        }
    }
}
