// Checks the rendered Kubernetes manifests (kubectl kustomize docker/kubernetes): every object against the
// API's schema (kubernetes-models), then the rules this overlay depends on, each with the reason it matters.
// Usage: node validate.mjs RENDERED.yaml   exit 0 when all hold; otherwise one line per broken rule, exit 1.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";

const docs = yaml.loadAll(readFileSync(process.argv[2], "utf8")).filter(Boolean);
const problems = [];
const check = (ok, rule) => { if (!ok) problems.push(rule); };

// 1. The API schemas.
for (const doc of docs) {
  try {
    const mod = await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`);
    new mod[doc.kind](doc).validate();
  } catch (e) {
    problems.push(`${doc.kind}/${doc.metadata?.name}: not a valid ${doc.apiVersion} ${doc.kind}: ${e.message}`);
  }
}

const one = (kind, name) => docs.find((d) => d.kind === kind && (!name || d.metadata.name === name));
const sts = one("StatefulSet");
const pod = sts?.spec?.template;
const node = pod?.spec?.containers?.[0];
const env = Object.fromEntries((node?.env ?? []).map((e) => [e.name, e]));
const labels = pod?.metadata?.labels ?? {};
const selects = (selector) => !!selector && Object.keys(selector).length > 0
  && Object.entries(selector).every(([k, v]) => labels[k] === v);
const headless = one("Service", sts?.spec?.serviceName);
const api = docs.find((d) => d.kind === "Service" && d !== headless);
const pdb = one("PodDisruptionBudget");
const policy = one("NetworkPolicy");
const port = (name) => node?.ports?.find((p) => p.name === name)?.containerPort;
const mount = (path) => node?.volumeMounts?.find((m) => m.mountPath === path);
const volume = (m) => pod?.spec?.volumes?.find((v) => v.name === m?.name);

// 2. This overlay's rules.
check(sts, "a StatefulSet runs the nodes");
check(!docs.some((d) => d.kind === "Secret"), "no Secret in the manifests: the password and keys are made at deploy time");
check(sts?.spec?.podManagementPolicy === "Parallel", "podManagementPolicy Parallel: ordered start with a majority-gated readiness deadlocks a full restart");
check(headless?.spec?.clusterIP === "None", "the StatefulSet's serviceName is a headless Service (clusterIP None): one A record per pod");
check(headless?.spec?.publishNotReadyAddresses === true, "the headless Service publishes not-ready pods: discovery must see pods before they are ready");
check(selects(headless?.spec?.selector), "the headless Service selects the pods");
check(headless?.spec?.ports?.some((p) => p.port === 7800), "the headless Service names the gossip port 7800");
check(env.SPRAWL_DISCOVERY?.value === "dns", "SPRAWL_DISCOVERY=dns");
check((env.SPRAWL_DNS_QUERY?.value ?? "").startsWith(`${headless?.metadata?.name}.$(POD_NAMESPACE).svc.`),
  "SPRAWL_DNS_QUERY is the headless Service's fully qualified name");
check(env.POD_NAMESPACE?.valueFrom?.fieldRef?.fieldPath === "metadata.namespace", "POD_NAMESPACE from the downward API (used by SPRAWL_DNS_QUERY)");
check(env.SPRAWL_NODE_ID?.valueFrom?.fieldRef?.fieldPath === "metadata.name", "SPRAWL_NODE_ID is the pod's name");
check(env.SPRAWL_BIND_ADDRESS?.valueFrom?.fieldRef?.fieldPath === "status.podIP", "SPRAWL_BIND_ADDRESS is the pod's IP");
check(port("http") === 9080 && port("https") === 9443 && port("gossip") === 7800 && port("fd") === 8800,
  "the container's ports are the image's: http 9080, https 9443, gossip 7800, fd 8800 (gossip + 1000)");
const probe = (p, path) => p?.httpGet?.path === path && p?.httpGet?.port === "http";
check(probe(node?.startupProbe, "/health/started"), "startupProbe on /health/started");
check(probe(node?.readinessProbe, "/health/ready"), "readinessProbe on /health/ready");
check(probe(node?.livenessProbe, "/health/live"), "livenessProbe on /health/live");
const window = (p) => (p?.periodSeconds ?? 10) * (p?.failureThreshold ?? 3);
check(window(node?.startupProbe) >= 180, "the startup probe allows at least 3 minutes (several nodes starting on a busy machine)");
check(window(node?.livenessProbe) >= 30, "the liveness probe allows at least 30 s (a long pause is the failure detector's business, not a restart's)");
const preStop = node?.lifecycle?.preStop?.exec?.command ?? [];
const pause = preStop[0] === "sleep" ? Number(preStop[1]) : (node?.lifecycle?.preStop?.sleep?.seconds ?? 0);
check(pause >= 3, "a preStop pause of at least 3 s, so endpoints drop the pod before it leaves");
check((pod?.spec?.terminationGracePeriodSeconds ?? 30) >= pause + 30 + 5,
  "terminationGracePeriodSeconds covers the preStop pause, Liberty's 30 s wait for open streams and the leave");
check(selects(pdb?.spec?.selector?.matchLabels) && pdb?.spec?.maxUnavailable === 1, "a PodDisruptionBudget: at most one node down");
const r = node?.resources;
check(r?.requests?.cpu && r?.requests?.memory && r?.limits?.cpu && r?.limits?.memory, "requests and limits for CPU and memory");
const mebi = (q) => { const m = /^(\d+)(Mi|Gi)$/.exec(q ?? ""); return m ? Number(m[1]) * (m[2] === "Gi" ? 1024 : 1) : 0; };
check(mebi(r?.limits?.memory) >= 640, "a memory limit of at least 640Mi: a node at rest is ~470 MB resident");
const sc = pod?.spec?.securityContext ?? {};
check(sc.runAsNonRoot === true && sc.runAsUser === 1001, "runs as non-root, uid 1001 (the image's user)");
check(node?.securityContext?.readOnlyRootFilesystem === true, "a read-only root filesystem");
check(node?.securityContext?.allowPrivilegeEscalation === false, "no privilege escalation");
for (const path of ["/opt/ol/wlp/output", "/logs", "/tmp"]) {
  check(volume(mount(path))?.emptyDir, `${path} is a writable emptyDir (Liberty writes there; the root is read-only)`);
}
const tls = volume(mount(env.SPRAWL_TLS_DIR?.value));
check(tls?.secret?.secretName, "the cluster's TLS Secret is mounted at SPRAWL_TLS_DIR");
const admin = volume(mount("/config/variables"));
check(admin?.secret?.items?.some((i) => i.path === "sprawl.admin.password"),
  "the admin password Secret is mounted as /config/variables/sprawl.admin.password");
const ann = pod?.metadata?.annotations ?? {};
check(ann["prometheus.io/scrape"] === "true" && ann["prometheus.io/port"] === "9080" && ann["prometheus.io/path"] === "/metrics",
  "Prometheus scrape annotations: port 9080, /metrics");
check(selects(api?.spec?.selector) && api?.spec?.clusterIP !== "None" && api?.spec?.ports?.some((p) => p.port === 9443),
  "a regular Service for the API (HTTP and HTTPS)");
const gossipRule = policy?.spec?.ingress?.find((i) => i.ports?.some((p) => p.port === 7800));
check(selects(policy?.spec?.podSelector?.matchLabels) && gossipRule?.from?.length > 0 && gossipRule.from.every((f) => selects(f.podSelector?.matchLabels)),
  "a NetworkPolicy lets only the nodes reach the cluster ports");

if (problems.length) {
  console.log(problems.map((p) => `manifest check failed: ${p}`).join("\n"));
  process.exit(1);
}
console.log(`manifests valid: ${docs.length} objects (${docs.map((d) => d.kind).join(", ")}), all rules hold`);
