package io.sprawl.overlay.config;

import static io.sprawl.overlay.config.Parsers.bool;
import static io.sprawl.overlay.config.Parsers.decimalIn;
import static io.sprawl.overlay.config.Parsers.host;
import static io.sprawl.overlay.config.Parsers.hostPorts;
import static io.sprawl.overlay.config.Parsers.intIn;
import static io.sprawl.overlay.config.Parsers.name;
import static io.sprawl.overlay.config.Parsers.oneOf;
import static io.sprawl.overlay.config.Parsers.optionalHostPort;
import static io.sprawl.overlay.config.Parsers.optionalName;
import static io.sprawl.overlay.config.Parsers.pairs;

import java.util.List;
import java.util.Map;

/**
 * Every setting of a node, with its default and the reason for it: the one place to look.
 * Read through MicroProfile Config in a server, so {@code SPRAWL_GOSSIP_PORT=7801} sets
 * {@code sprawl.gossip.port}; the README's settings table mirrors this list (a test checks it).
 */
public final class Settings {

    private Settings() {
    }

    public static final Setting<String> NODE_ID = new Setting<>("sprawl.node.id", "",
            "No default: two nodes with one id would overwrite each other's record, so every node names itself."
                    + " A live member already holding the id stops the newcomer at start.",
            name("a node id"));

    public static final Setting<String> CLUSTER_NAME = new Setting<>("sprawl.cluster.name", "sprawl",
            "Nodes join only a cluster of the same name, so two clusters can share seeds or a multicast group.",
            name("a cluster name"));

    public static final Setting<String> BIND_ADDRESS = new Setting<>("sprawl.bind.address", "127.0.0.1",
            "Loopback until told otherwise: a node never exposes its cluster port by accident."
                    + " Also the HTTP host and the address other nodes and routing clients are given.",
            host("the address to bind"));

    public static final Setting<Integer> GOSSIP_PORT = new Setting<>("sprawl.gossip.port", "7800",
            "JGroups' customary TCP port; node i of a local cluster uses 7800+i. Never a range: a node does not"
                    + " silently take a neighbour's port. FD_SOCK2 listens on this port + 1000.",
            intIn(1, 65535 - 1000, "a TCP port (the failure-detection socket takes port+1000)"));

    public static final Setting<Integer> HTTP_PORT = new Setting<>("sprawl.http.port", "9080",
            "Liberty's default HTTP port; node i of a local cluster uses 9080+i. Published in the member record"
                    + " so routing clients know where to call.",
            intIn(1, 65535, "a TCP port"));

    public static final Setting<List<HostPort>> SEEDS = new Setting<>("sprawl.seeds", "",
            "Empty: a node alone forms its own cluster and others join it. List every seed you can;"
                    + " any live one is enough.",
            hostPorts());

    public static final Setting<Discovery> DISCOVERY = new Setting<>("sprawl.discovery", "static",
            "Static seeds work on any network; dns suits a Kubernetes headless service, multicast a plain LAN.",
            oneOf(Discovery.class));

    public static final Setting<String> DNS_QUERY = new Setting<>("sprawl.dns.query", "",
            "The fully qualified DNS name whose A records are the nodes (a headless service, e.g."
                    + " sprawl-overlay-headless.NAMESPACE.svc.cluster.local: search domains do not apply); required when"
                    + " discovery is dns. Every node listens on the same gossip port.",
            raw -> raw);

    public static final Setting<String> DNS_ADDRESS = new Setting<>("sprawl.dns.address", "",
            "Empty: the first nameserver of /etc/resolv.conf (the cluster DNS in Kubernetes). Asked directly at"
                    + " every discovery round, so no JVM cache delays a new or departed node.",
            optionalHostPort("a DNS server"));

    public static final Setting<Integer> DNS_WAIT_MS = new Setting<>("sprawl.dns.wait-ms", "60000",
            "How long a starting node waits for its own address in the answer before it joins anyway (with a"
                    + " warning): DNS lags pod creation, and a node that joins before the name lists the others forms"
                    + " a cluster of its own. A headless service with publishNotReadyAddresses lists a pod seconds"
                    + " after it starts; 0 does not wait.",
            intIn(0, 600_000, "milliseconds"));

    public static final Setting<String> MULTICAST_ADDRESS = new Setting<>("sprawl.multicast.address", "239.6.7.8",
            "Infinispan's default group, in the administratively scoped range; used when discovery is multicast.",
            host("an IP multicast group"));

    public static final Setting<Integer> MULTICAST_PORT = new Setting<>("sprawl.multicast.port", "46655",
            "Infinispan's default discovery port; used when discovery is multicast.",
            intIn(1, 65535, "a UDP port"));

    public static final Setting<String> SITE = new Setting<>("sprawl.site", "",
            "Empty: one datacenter. Goes into Infinispan's topology id and every member record.",
            optionalName("a site name"));

    public static final Setting<String> RACK = new Setting<>("sprawl.rack", "",
            "Empty: one rack. Goes into Infinispan's topology id and every member record.",
            optionalName("a rack name"));

    public static final Setting<Map<String, String>> CAPABILITIES = new Setting<>("sprawl.capabilities", "",
            "Declared abilities, e.g. leader-eligible=true,weight=2; published in the member record.",
            pairs());

    public static final Setting<Map<String, String>> METADATA = new Setting<>("sprawl.metadata", "",
            "The node's free-form metadata at start (key=value,...); changed at run time through the API.",
            pairs());

    public static final Setting<Integer> JOIN_TIMEOUT_MS = new Setting<>("sprawl.join.timeout-ms", "5000",
            "How long a starting node waits for an answer from a seed before it forms a cluster alone"
                    + " (JGroups GMS join_timeout). Discovery ends at the coordinator's answer, so only a node"
                    + " that finds no running member (the first of a new cluster, or of a whole cluster restarted)"
                    + " pays it all. Infinispan's 2 s was too short for a cold JVM's"
                    + " TLS handshakes on a busy machine: in the leader benchmark all 8 nodes started beside a"
                    + " running one found no member after 2.3-2.8 s and formed 8 clusters, merged one by one.",
            intIn(100, 60_000, "milliseconds"));

    public static final Setting<Integer> RETENTION_MINUTES = new Setting<>("sprawl.membership.retention-minutes", "10",
            "FAILED and LEFT members stay visible this long so operators and dashboards see what went away;"
                    + " a returning node replaces its entry at once.",
            intIn(0, 7 * 24 * 60, "minutes"));

    public static final Setting<Integer> HISTORY_SIZE = new Setting<>("sprawl.membership.history-size", "1000",
            "Membership events kept in memory; at ~200 bytes each, 1000 events are a fifth of a megabyte.",
            intIn(10, 100_000, "a number of events"));

    public static final Setting<Integer> REJOIN_HOLD_DOWN_MS = new Setting<>("sprawl.membership.rejoin-hold-down-ms",
            "5000",
            "A process that was FAILED and comes back is taken back at once the first time. Its second FAILED within"
                    + " 10 min holds it out this long after it returns, each further one twice as long, up to 60 s (or this,"
                    + " if longer): a flapping link or a lossy node then cannot oscillate the cluster (Rapid's flip-flop,"
                    + " where memberlist takes the node back every time). Only failures of the member alone count: members"
                    + " that fail within 3 s of each other are a partition, and its heal is never held. Nor is anyone held"
                    + " while two or more, and at least half, of the other members failed in the last minute too (lossy links everywhere). A restarted process"
                    + " is never held. 0: off.",
            intIn(0, 600_000, "milliseconds"));

    public static final Setting<Integer> ROUTING_REPLICAS = new Setting<>("sprawl.routing.replicas", "3",
            "Owners returned for a key: three survive the loss of two nodes, the usual quorum size.",
            intIn(1, 64, "a number of owner nodes"));

    public static final Setting<Integer> REQUEST_MAX_BYTES = new Setting<>("sprawl.http.max-request-bytes", "65536",
            "The largest request body the API reads; metadata is small, and a bound keeps a bad client from"
                    + " filling the heap. Larger bodies get 413.",
            intIn(1024, 16 * 1024 * 1024, "bytes"));

    // ---- API access (package ee: ApiAccess; Liberty's user registry and keystore in server.xml) ----

    public static final Setting<String> ADMIN_USER = new Setting<>("sprawl.admin.user", "admin",
            "The user whose requests may change the cluster: every API write (metadata, step-down, messages, custom"
                    + " metrics) and every JMX operation through the REST connector. Liberty's registry reads it too.",
            name("a user name"));

    public static final Setting<String> ADMIN_PASSWORD = Setting.secret("sprawl.admin.password",
            "Required: the admin's password, from the environment or a file in the server's variables directory"
                    + " (a mounted Secret). At least 12 characters, or a {hash} value from Liberty's securityUtility;"
                    + " never logged or shown.",
            raw -> raw);

    public static final Setting<Boolean> HTTP_REQUIRE_READER = new Setting<>("sprawl.http.require-reader", "false",
            "Reads (the API, /overlay/health, /metrics) stay open so Kubernetes, load balancers and Prometheus call them"
                    + " without credentials; true requires a user of the reader or admin group. The three MicroProfile"
                    + " probes and /overlay/health/check stay open either way.",
            bool());

    public static final Setting<String> HTTPS_KEYSTORE = new Setting<>("sprawl.https.keystore", "",
            "The HTTPS port's certificate: a PKCS#12 keystore. Empty: the self-signed one Liberty makes on first"
                    + " start (resources/security/key.p12), good for a local cluster only. The API takes credentials"
                    + " only over HTTPS.",
            raw -> raw);

    public static final Setting<String> HTTPS_KEYSTORE_PASSWORD = Setting.secret("sprawl.https.keystore-password",
            "The keystore's password. Empty with the default keystore: Liberty's keystore_password from server.env.",
            raw -> raw);

    // ---- cluster security (package cluster: ClusterTls, TlsMaterial) -----------------------------

    public static final Setting<ClusterSecurity> CLUSTER_SECURITY = new Setting<>("sprawl.cluster.security", "tls",
            "Mutual TLS on every node-to-node connection: a node without a certificate of the cluster's CA cannot join,"
                    + " be merged in or send anything, and the wire shows no record, metadata or metric. plaintext only on a network you trust"
                    + " completely: the node then warns at start and reports it in /overlay/health and /metrics.",
            oneOf(ClusterSecurity.class));

    public static final Setting<String> TLS_DIR = new Setting<>("sprawl.tls.dir", "",
            "A directory with tls.crt (this node's certificate chain), tls.key (its PKCS#8 key) and ca.crt (the CAs it"
                    + " trusts), all PEM: the layout of a mounted Kubernetes TLS Secret. Re-read every second, so a rotation"
                    + " needs no restart.",
            raw -> raw);

    public static final Setting<String> TLS_CERT_PEM = new Setting<>("sprawl.tls.cert-pem", "",
            "Instead of the directory: this node's certificate chain as PEM text (from a Secret as an environment"
                    + " variable). Fixed for the life of the process.",
            raw -> raw);

    public static final Setting<String> TLS_KEY_PEM = Setting.secret("sprawl.tls.key-pem",
            "Instead of the directory: this node's PKCS#8 private key as PEM text. Never shown: an error names the setting,"
                    + " never the text.",
            raw -> raw);

    public static final Setting<String> TLS_CA_PEM = new Setting<>("sprawl.tls.ca-pem", "",
            "Instead of the directory: the CA certificates this node trusts, as PEM text.",
            raw -> raw);

    // ---- failure detection (package failure; the formulas are in DetectorMath) ------------------

    public static final Setting<Boolean> PROBE_ENABLED = new Setting<>("sprawl.probe.enabled", "true",
            "Off leaves failure detection to the transport alone: a crash is still seen in ~0.3 s, but a hung node"
                    + " only after FD_ALL3's 3 s and a stuck overlay never. Off is for measuring what probing costs.",
            bool());

    public static final Setting<Integer> PROBE_INTERVAL_MS = new Setting<>("sprawl.probe.interval-ms", "100",
            "Each node probes one peer per round, in shuffled round-robin order. At 100 ms a hung member of 9 is"
                    + " first probed within ~0.35 s (p99), for about 10 small messages a second per node.",
            intIn(20, 10_000, "milliseconds"));

    public static final Setting<Integer> PROBE_TIMEOUT_MS = new Setting<>("sprawl.probe.timeout-ms", "100",
            "The longest wait for a direct ack, and the wait while a peer's round trips are still unknown; once"
                    + " known, the wait is 3 times that peer's p99 round trip (at least 10 ms). Awareness multiplies it.",
            intIn(5, 10_000, "milliseconds"));

    public static final Setting<Integer> PROBE_INDIRECT = new Setting<>("sprawl.probe.indirect-count", "3",
            "Members asked to probe a peer that missed its direct ack (SWIM's k): one bad link alone then rarely"
                    + " reads as a failure.",
            intIn(0, 16, "a number of members"));

    public static final Setting<Integer> PROBE_STUCK_AFTER_MS = new Setting<>("sprawl.probe.stuck-after-ms", "1000",
            "A node whose own probe timer has not fired this long stops answering probes, so a JVM that answers TCP"
                    + " but whose overlay is stuck gets suspected. 1 s is ten missed rounds: no late timer, a real stall.",
            intIn(100, 60_000, "milliseconds"));

    public static final Setting<Integer> PROBE_AWARENESS_MAX = new Setting<>("sprawl.probe.awareness-max", "8",
            "The highest local health score (Lifeguard, memberlist's default): a node that misses its own timers or"
                    + " acks multiplies its probe timeouts by up to score + 1 instead of accusing others.",
            intIn(0, 64, "a score"));

    public static final Setting<Boolean> PROBE_EXCLUDE_FAILED = new Setting<>("sprawl.probe.exclude-failed", "true",
            "Ask JGroups to exclude a member the probes found FAILED. JGroups checks first (VERIFY_SUSPECT2) and"
                    + " drops it only if its transport is silent too, so caches stop waiting on a hung node; one whose"
                    + " transport answers stays in the view, FAILED in the table, until it refutes.",
            bool());

    public static final Setting<Integer> SUSPICION_MULTIPLIER = new Setting<>("sprawl.suspicion.multiplier", "20",
            "The shortest suspicion timeout is multiplier x probe interval x max(1, log10(members)): 2 s up to 10"
                    + " members, 4 s at 100. Chosen from the measured curve (src/bench/pause-bench.sh, 9 nodes): at 15 a"
                    + " 2 s SIGSTOP was FAILED by all 8 others in 3 of 3 pauses, at 20 in none, and a hang is FAILED in"
                    + " 2.36 s (p99 2.41) instead of 1.85 (2.04). 25 also took 2 s, not 3 s, and a hang took 2.82 s"
                    + " (p99 2.99): pauses of 3 s and more end in FAILED at any multiplier that keeps a hang under 3 s;"
                    + " the pause allowance covers a node that"
                    + " is paused 2-3 s often.",
            intIn(1, 1_000, "a multiplier"));

    public static final Setting<Integer> SUSPICION_MAX_MULTIPLIER = new Setting<>("sprawl.suspicion.max-multiplier",
            "2",
            "A suspicion nobody else confirms waits this multiple of the shortest timeout; each independent"
                    + " confirmation brings it down towards the shortest (Lifeguard).",
            intIn(1, 100, "a multiplier"));

    public static final Setting<Integer> SUSPICION_CONFIRMATIONS = new Setting<>("sprawl.suspicion.confirmations", "3",
            "Independent suspicions that bring the timeout down to its shortest (Lifeguard's K); fewer members than"
                    + " that lower it to what they can give.",
            intIn(0, 64, "a number of confirmations"));

    public static final Setting<Integer> SUSPICION_PAUSE_ALLOWANCE_MAX_MS = new Setting<>(
            "sprawl.suspicion.pause-allowance-max-ms", "3000",
            "A node that refutes a suspicion says how long its longest pause of the last 10 minutes was (its own"
                    + " timer's gap: a GC, a stolen CPU); the others add that to its suspicion timeout for 10 minutes,"
                    + " at most this much. A node paused often is then not failed over again and again, at the price"
                    + " of finding a real hang of that node up to this much later. 0 turns it off.",
            intIn(0, 60_000, "milliseconds"));

    public static final Setting<Integer> PROBE_PROTOCOL_VERSION = new Setting<>("sprawl.probe.protocol-version", "2",
            "The newest probe wire format this node speaks (memberlist's protocol version), named in its member"
                    + " record. Each peer is sent the newest its own record names, so nodes of the previous release"
                    + " (version 1) and this one share a cluster; set 1 to pin a node to the old format (a rollback,"
                    + " a test).",
            intIn(1, 2, "a protocol version"));

    // ---- leader election (package election: Candidates and ClaimRules the rules, Leadership the terms and lease) ----

    public static final Setting<Integer> LEADER_CHECK_INTERVAL_MS = new Setting<>("sprawl.leader.check-interval-ms",
            "200",
            "The election timer re-checks at this rate (and at once on every membership event), and the leader"
                    + " renews its lease each time: five sync writes a second to the leader record, all told.",
            intIn(20, 10_000, "milliseconds"));

    public static final Setting<Integer> LEADER_LEASE_MS = new Setting<>("sprawl.leader.lease-ms", "1000",
            "A leader acts only within a lease from its last renewal that reached every member; another takes"
                    + " over only after the record went unrenewed this long and the leader is FAILED (at once when its"
                    + " process is proven gone: it exited). 1 s: a silent leader is replaced in ~1.0-1.6 s (measured,"
                    + " 9 nodes), and a lease outlasts four missed renewals.",
            intIn(60, 600_000, "milliseconds"));

    public static final Setting<Double> LEADER_HYSTERESIS = new Setting<>("sprawl.leader.hysteresis", "0.2",
            "A healthy leader is replaced only by a candidate whose score, weight x (1 - forecast load), is higher by"
                    + " more than this (or that sits in the preferred site while it does not): with equal weights the"
                    + " loads must differ by over 20 points. Load wobbles, leaders should not. A new leader is"
                    + " chosen off JGroups' coordinator unless it scores this much more: a leader that is also the"
                    + " coordinator fails over slower (its crash costs the coordinator's takeover too).",
            decimalIn(0, 100, "a score difference"));

    public static final Setting<Integer> LEADER_MIN_TENURE_MS = new Setting<>("sprawl.leader.min-tenure-ms", "60000",
            "A healthy leader is moved for a better score only after leading this long: a term change is a hand-over"
                    + " and a sync write, and loads change over minutes. Failures and the preferred site act at once."
                    + " (Without it, five nodes starting on a busy machine passed the leadership on dozens of times in seconds.)",
            intIn(0, 86_400_000, "milliseconds"));

    public static final Setting<String> LEADER_PREFERRED_SITE = new Setting<>("sprawl.leader.preferred-site", "",
            "Empty: no preference. Else members of this site lead whenever one is eligible (the primary datacenter).",
            optionalName("a site name"));

    public static final Setting<Boolean> LEADER_MINORITY_READY = new Setting<>("sprawl.leader.minority-ready", "false",
            "A node on the side of a partition without a majority has no leader and takes no new writes: by default"
                    + " it reports not ready, so load balancers send clients to the majority. True keeps it in rotation.",
            bool());

    // ---- metrics (package metrics: MetricsManager, the sampling; cluster.MetricsSharing shares the snapshots) ----

    public static final Setting<Boolean> METRICS_ENABLED = new Setting<>("sprawl.metrics.enabled", "true",
            "Off stops the OSHI sampling and the sharing of snapshots: for measuring what observing costs. Election"
                    + " and routing then know no load (they treat it as 0).",
            bool());

    public static final Setting<Integer> METRICS_SAMPLE_INTERVAL_MS = new Setting<>("sprawl.metrics.sample-interval-ms",
            "1000",
            "OSHI reads the machine this often. CPU use is measured between two reads, and under a second it is"
                    + " mostly noise; the history's finest step is 1 s too. One read takes ~4 ms here (p99 10-16 ms, measured).",
            intIn(200, 60_000, "milliseconds"));

    public static final Setting<Integer> METRICS_PUBLISH_INTERVAL_MS = new Setting<>(
            "sprawl.metrics.publish-interval-ms", "2000",
            "Each node shares its latest snapshot (~1 KB) this often: routing and election then see load at most"
                    + " ~2 s old, for half a message a second per node.",
            intIn(200, 600_000, "milliseconds"));

    public static final Setting<Integer> METRICS_FORECAST_HORIZON_S = new Setting<>(
            "sprawl.metrics.forecast-horizon-seconds", "10",
            "The load forecast looks this far ahead: past the snapshot's age (publish interval) and the time a"
                    + " routing or election decision stays in force, short enough for a linear trend to hold.",
            intIn(1, 3_600, "seconds"));

    public static final Setting<Integer> METRICS_CUSTOM_MAX = new Setting<>("sprawl.metrics.custom-max", "100",
            "Custom metrics a node accepts. Each keeps a history of ~75 KB, so 100 hold at most ~7.5 MB; one more"
                    + " is refused (409) rather than growing the heap without bound.",
            intIn(0, 10_000, "a number of metrics"));

    /** Every setting, in the order of the README's table. */
    public static final List<Setting<?>> ALL = List.of(NODE_ID, CLUSTER_NAME, BIND_ADDRESS, GOSSIP_PORT, HTTP_PORT,
            SEEDS, DISCOVERY, DNS_QUERY, DNS_ADDRESS, DNS_WAIT_MS, MULTICAST_ADDRESS, MULTICAST_PORT, SITE, RACK, CAPABILITIES, METADATA,
            JOIN_TIMEOUT_MS, RETENTION_MINUTES, HISTORY_SIZE, REJOIN_HOLD_DOWN_MS, ROUTING_REPLICAS, REQUEST_MAX_BYTES,
            ADMIN_USER, ADMIN_PASSWORD, HTTP_REQUIRE_READER, HTTPS_KEYSTORE, HTTPS_KEYSTORE_PASSWORD,
            CLUSTER_SECURITY, TLS_DIR, TLS_CERT_PEM, TLS_KEY_PEM, TLS_CA_PEM, PROBE_ENABLED,
            PROBE_INTERVAL_MS, PROBE_TIMEOUT_MS, PROBE_INDIRECT, PROBE_STUCK_AFTER_MS, PROBE_AWARENESS_MAX,
            PROBE_EXCLUDE_FAILED, SUSPICION_MULTIPLIER, SUSPICION_MAX_MULTIPLIER, SUSPICION_CONFIRMATIONS,
            SUSPICION_PAUSE_ALLOWANCE_MAX_MS, PROBE_PROTOCOL_VERSION,
            LEADER_CHECK_INTERVAL_MS, LEADER_LEASE_MS, LEADER_HYSTERESIS, LEADER_MIN_TENURE_MS, LEADER_PREFERRED_SITE, LEADER_MINORITY_READY,
            METRICS_ENABLED, METRICS_SAMPLE_INTERVAL_MS, METRICS_PUBLISH_INTERVAL_MS, METRICS_FORECAST_HORIZON_S,
            METRICS_CUSTOM_MAX);
}
