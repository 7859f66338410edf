#!/usr/bin/env bash
# A local sprawl-overlay cluster: N Open Liberty servers on 127.0.0.1, one node each.
#
#   local-cluster.sh start [N]   build if needed, start nodes 0..N-1 not already running (default 3),
#                                wait until every node is ready and sees N healthy members
#   local-cluster.sh stop [I]    stop every running node (or node I) gracefully (it leaves the cluster)
#   local-cluster.sh status      one line per node: pid, URLs, health
#   local-cluster.sh kill I      SIGKILL node I (a crash, for demos and tests)
#
# Node i: HTTP 9080+i, HTTPS 9443+i, JGroups 7800+i (failure-detection socket 8800+i).
# Files:  target/local-cluster/node{i}.pid, target/local-cluster/logs/node{i}/messages.log,
#         servers under target/local-cluster/wlp-usr/servers/node{i}.
# Security: the cluster runs mutual TLS. The first start makes a CA and one certificate per node under
#         target/local-cluster/pki (cluster-pki.sh; files 0600), or under SPRAWL_PKI_DIR (a CA of its own to
#         join other nodes, as a test does); SPRAWL_CLUSTER_SECURITY=plaintext turns it off.
#         The API's writes need the admin user over HTTPS: the first start makes its password, prints it once
#         and keeps it in target/local-cluster/admin.password (0600); SPRAWL_ADMIN_PASSWORD gives one instead.
#           curl -k -u "admin:$(cat target/local-cluster/admin.password)" -X POST https://127.0.0.1:9443/overlay/api/leader/step-down
# Tests run their own cluster elsewhere by setting SPRAWL_CLUSTER_DIR, SPRAWL_HTTP_BASE,
# SPRAWL_HTTPS_BASE, SPRAWL_GOSSIP_BASE and SPRAWL_CLUSTER_NAME. A benchmark that gives each node its
# own network namespace sets SPRAWL_NODE_ADDRESSES (node i's address is the i-th) and
# SPRAWL_NETNS_PREFIX (node i runs in namespace PREFIXi); with SPRAWL_PORT_STEP=0 every node uses the base
# ports, as pods do (DNS discovery needs one gossip port). SPRAWL_START_PARALLEL=true starts every node at
# once, as a StatefulSet with parallel pod management does. SPRAWL_START_WAVE (default 1) is how many nodes
# join at a time after the first.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER_DIR=${SPRAWL_CLUSTER_DIR:-$ROOT/target/local-cluster}
HTTP_BASE=${SPRAWL_HTTP_BASE:-9080}
HTTPS_BASE=${SPRAWL_HTTPS_BASE:-9443}
GOSSIP_BASE=${SPRAWL_GOSSIP_BASE:-7800}
CLUSTER_NAME=${SPRAWL_CLUSTER_NAME:-sprawl-local}
READY_TIMEOUT=${SPRAWL_READY_TIMEOUT:-240}
SECURITY=${SPRAWL_CLUSTER_SECURITY:-tls}
PORT_STEP=${SPRAWL_PORT_STEP:-1}
PKI=${SPRAWL_PKI_DIR:-$CLUSTER_DIR/pki}
ADMIN_FILE=$CLUSTER_DIR/admin.password
WLP=$ROOT/target/liberty/wlp
WAR=$ROOT/target/sprawl-overlay.war
export WLP_USER_DIR=$CLUSTER_DIR/wlp-usr

die() { echo "local-cluster: $*" >&2; exit 1; }

read -r -a NODE_ADDRESSES <<< "${SPRAWL_NODE_ADDRESSES:-}"
# Node i's address.
addr() { echo "${NODE_ADDRESSES[$1]:-127.0.0.1}"; }
# Runs a command as node i: in its network namespace when there are namespaces.
as_node() {
  local i=$1
  shift
  if [ -n "${SPRAWL_NETNS_PREFIX:-}" ]; then ip netns exec "$SPRAWL_NETNS_PREFIX$i" "$@"; else "$@"; fi
}

# Node i's ports.
http_port() { echo $((HTTP_BASE + $1 * PORT_STEP)); }
https_port() { echo $((HTTPS_BASE + $1 * PORT_STEP)); }
gossip_port() { echo $((GOSSIP_BASE + $1 * PORT_STEP)); }

pid_file() { echo "$CLUSTER_DIR/node$1.pid"; }
server_dir() { echo "$WLP_USER_DIR/servers/node$1"; }

# The node's pid if its process is alive and is that node's Liberty server; nothing otherwise.
running_pid() {
  local f pid
  f=$(pid_file "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "node$1"; then
    echo "$pid"
  fi
}

# The cluster's CA and nodes 0..N-1's certificates, each made the first time (one after the other: they
# share the CA).
ensure_pki() {
  local n=$1 i
  [ "$SECURITY" = tls ] || return 0
  bash "$ROOT/server-config/cluster-pki.sh" ca "$PKI/ca" "$CLUSTER_NAME-ca" || die "could not make the cluster's CA"
  for ((i = 0; i < n; i++)); do
    if [ ! -f "$PKI/node$i/tls.crt" ]; then
      bash "$ROOT/server-config/cluster-pki.sh" node "$PKI/ca" "$PKI/node$i" "node$i" \
        || die "could not make node$i's certificate"
    fi
  done
}

# The admin's password: SPRAWL_ADMIN_PASSWORD, or the one made the first time (printed once, kept 0600).
ensure_admin() {
  if [ -n "${SPRAWL_ADMIN_PASSWORD:-}" ]; then
    ADMIN_PASSWORD=$SPRAWL_ADMIN_PASSWORD
    return 0
  fi
  if [ ! -s "$ADMIN_FILE" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$ADMIN_FILE") || die "could not write $ADMIN_FILE"
    echo "the API's admin user: admin, password $(cat "$ADMIN_FILE") (shown once; kept in $ADMIN_FILE)"
  fi
  ADMIN_PASSWORD=$(cat "$ADMIN_FILE")
}

seeds_for() {
  local n=$1 i=$2 j out=""
  for ((j = 0; j < n; j++)); do
    [ "$j" -eq "$i" ] && continue
    out+="${out:+,}$(addr "$j"):$(gossip_port "$j")"
  done
  echo "$out"
}

start_node() {
  local n=$1 i=$2 dir logs
  dir=$(server_dir "$i")
  logs=$CLUSTER_DIR/logs/node$i
  if [ ! -d "$dir" ]; then
    "$WLP/bin/server" create "node$i" > /dev/null || die "could not create server node$i"
  fi
  mkdir -p "$dir/dropins" "$logs"
  cp "$ROOT/server-config/server.xml" "$ROOT/server-config/jvm.options" "$dir/"
  cp "$WAR" "$dir/dropins/sprawl-overlay.war"
  # The HTTPS keystore's password that 'server create' made (Liberty makes the keystore with it), kept.
  local keystore
  keystore=$(grep -s '^keystore_password=' "$dir/server.env" || echo "keystore_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')")
  # server.env holds the admin's password: readable by this user only.
  touch "$dir/server.env" && chmod 600 "$dir/server.env"
  cat > "$dir/server.env" <<ENV
$keystore
SPRAWL_ADMIN_PASSWORD=$ADMIN_PASSWORD
SPRAWL_NODE_ID=node$i
SPRAWL_CLUSTER_NAME=$CLUSTER_NAME
SPRAWL_BIND_ADDRESS=$(addr "$i")
SPRAWL_GOSSIP_PORT=$(gossip_port "$i")
SPRAWL_HTTP_PORT=$(http_port "$i")
SPRAWL_HTTPS_PORT=$(https_port "$i")
SPRAWL_SEEDS=$(seeds_for "$n" "$i")
LOG_DIR=$logs
ENV
  if [ "$SECURITY" = tls ]; then
    echo "SPRAWL_TLS_DIR=$PKI/node$i" >> "$dir/server.env"
  fi
  # Any other SPRAWL_* setting in the caller's environment reaches every node: all but those set above
  # per node and the launcher's own.
  env | grep '^SPRAWL_' \
    | grep -vE '^SPRAWL_(ADMIN_PASSWORD|NODE_ID|CLUSTER_NAME|BIND_ADDRESS|GOSSIP_PORT|HTTP_PORT|HTTPS_PORT|SEEDS|TLS_DIR|PKI_DIR|CLUSTER_DIR|HTTP_BASE|HTTPS_BASE|GOSSIP_BASE|NODE_ADDRESSES|NETNS_PREFIX|READY_TIMEOUT|PORT_STEP|START_PARALLEL|START_WAVE)=' \
    >> "$dir/server.env" || true
  as_node "$i" "$WLP/bin/server" start "node$i" > "$logs/start.out" 2>&1 || true
  cp "$WLP_USER_DIR/servers/.pid/node$i.pid" "$(pid_file "$i")" 2>/dev/null \
    || die "node$i did not start; see $logs/start.out and $logs/messages.log"
}

# Node i's base URL.
url() { echo "http://$(addr "$1"):$(http_port "$1")"; }

# Node i's HTTPS base URL (the admin API; reads too when SPRAWL_HTTP_REQUIRE_READER=true).
https_url() { echo "https://$(addr "$1"):$(https_port "$1")"; }

# GET of an API read on node i: over HTTPS as the admin when reads need a login (-k: Liberty's self-signed
# certificate, this host only).
api_get() {
  if [ "${SPRAWL_HTTP_REQUIRE_READER:-false}" = true ]; then
    # The password through stdin, not the command line (ps shows arguments to every user of the host).
    printf 'user = "admin:%s"\n' "$ADMIN_PASSWORD" | curl -sk --max-time 2 -K - "$(https_url "$1")$2"
  else
    curl -s --max-time 2 "$(url "$1")$2"
  fi
}

healthy_count() {
  api_get "$1" /overlay/health/membership 2>/dev/null \
    | grep -o '"state":"HEALTHY"' | wc -l
}

wait_ready() {
  local n=$1 i deadline=$((SECONDS + READY_TIMEOUT)) ready
  while :; do
    ready=0
    for ((i = 0; i < n; i++)); do
      if node_ready "$i" && [ "$(healthy_count "$i")" -eq "$n" ]; then
        ready=$((ready + 1))
      fi
    done
    [ "$ready" -eq "$n" ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && die "after ${READY_TIMEOUT}s only $ready of $n nodes are ready and see $n members; see $CLUSTER_DIR/logs"
    sleep 1
  done
}

node_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(url "$1")/health/ready")" = 200 ]
}

# Waits until node i alone is ready (it has formed or joined the cluster).
wait_node_ready() {
  local i=$1 deadline=$((SECONDS + READY_TIMEOUT))
  until node_ready "$i"; do
    [ "$SECONDS" -ge "$deadline" ] && die "node$i not ready after ${READY_TIMEOUT}s; see $CLUSTER_DIR/logs/node$i"
    sleep 1
  done
}

cmd_start() {
  local n=${1:-3} i todo=() running=0 pids=() pid
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "N must be a whole number from 1 to 99, got '$n'"
  command -v curl > /dev/null || die "curl is needed to watch the nodes' health"
  mkdir -p "$CLUSTER_DIR"
  bash "$ROOT/server-config/build-if-needed.sh" || die "no WAR or Liberty runtime to run"
  ensure_pki "$n"
  ensure_admin
  for ((i = 0; i < n; i++)); do
    if [ -z "$(running_pid "$i")" ]; then todo+=("$i"); else running=$((running + 1)); fi
  done
  # With nothing running, the first node forms the cluster alone; the others then join in waves of
  # SPRAWL_START_WAVE, each wave ready before the next starts. Nodes joining at once on a busy machine
  # have stalled Infinispan: a node missing the others' discovery replies forms a cluster of its own and
  # the merge overlapping the joins held the initial state transfer for its 4-minute timeout (9 nodes);
  # a joiner's Infinispan taking two views out of order left the CONFIG cache's rebalance unfinished and
  # every later cache join queued behind it (5 nodes, CI). One joiner at a time costs little on 2 cores,
  # where starting servers is CPU-bound anyway.
  local wave=${SPRAWL_START_WAVE:-1} from ready
  [[ "$wave" =~ ^[1-9][0-9]?$ ]] || die "SPRAWL_START_WAVE must be a whole number from 1 to 99, got '$wave'"
  echo "starting: ${todo[*]:-none (all running)}"
  if [ "${SPRAWL_START_PARALLEL:-false}" = true ]; then
    wave=${#todo[@]}
  elif [ "$running" -eq 0 ] && [ "${#todo[@]}" -gt 1 ]; then
    start_node "$n" "${todo[0]}"
    wait_node_ready "${todo[0]}"
    running=1
    echo "node${todo[0]} ready (1 of $n)"
    todo=("${todo[@]:1}")
  fi
  for ((from = 0; from < ${#todo[@]}; from += wave)); do
    pids=()
    for i in "${todo[@]:from:wave}"; do
      start_node "$n" "$i" &
      pids+=("$!")
    done
    for pid in "${pids[@]}"; do
      wait "$pid" || die "a node failed to start"
    done
    [ "${SPRAWL_START_PARALLEL:-false}" = true ] && break
    for i in "${todo[@]:from:wave}"; do
      wait_node_ready "$i"
    done
    ready=$((running + from + ${#pids[@]}))
    echo "node$(printf '%s ' "${todo[@]:from:wave}" | sed 's/ $//; s/ / node/g') ready ($ready of $n)"
  done
  echo "waiting until $n nodes are ready and agree ..."
  wait_ready "$n"
  for ((i = 0; i < n; i++)); do
    echo "node$i  pid $(running_pid "$i")  $(url "$i")/overlay/api/members" \
      " $(url "$i")/overlay/health  admin $(https_url "$i")/overlay/api  log $CLUSTER_DIR/logs/node$i/messages.log"
  done
  echo "admin: curl -k -u \"admin:\$(cat $ADMIN_FILE)\" ..."
}

cmd_stop() {
  local only=${1:-} f i
  [ -z "$only" ] || [[ "$only" =~ ^[0-9]+$ ]] || die "stop takes a node number, got '$only'"
  for f in "$CLUSTER_DIR"/node*.pid; do
    [ -e "$f" ] || continue
    i=${f##*/node}; i=${i%.pid}
    [ -z "$only" ] || [ "$i" = "$only" ] || continue
    if [ -n "$(running_pid "$i")" ]; then
      as_node "$i" "$WLP/bin/server" stop "node$i" > /dev/null 2>&1 &
    fi
  done
  wait || true
  for f in "$CLUSTER_DIR"/node*.pid; do
    [ -e "$f" ] || continue
    i=${f##*/node}; i=${i%.pid}
    [ -z "$only" ] || [ "$i" = "$only" ] || continue
    local pid
    pid=$(running_pid "$i")
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -f "$f"
    echo "node$i stopped"
  done
}

cmd_status() {
  local d i pid
  for d in "$WLP_USER_DIR"/servers/node*; do
    [ -d "$d" ] || continue
    i=${d##*/node}
    pid=$(running_pid "$i")
    if [ -n "$pid" ]; then
      echo "node$i  running  pid $pid  $(url "$i")  check $(curl -s --max-time 2 "$(url "$i")/overlay/health/check" || echo unreachable)"
    else
      echo "node$i  stopped"
    fi
  done
}

cmd_kill() {
  local i=${1:-} pid
  [[ "$i" =~ ^[0-9]+$ ]] || die "kill needs a node number, got '$i'"
  pid=$(running_pid "$i")
  [ -n "$pid" ] || die "node$i is not running"
  kill -9 "$pid"
  rm -f "$(pid_file "$i")"
  echo "node$i (pid $pid) killed"
}

case "${1:-}" in
  start) cmd_start "${2:-3}" ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status ;;
  kill) cmd_kill "${2:-}" ;;
  *) die "usage: $0 start [N] | stop [I] | status | kill I" ;;
esac
