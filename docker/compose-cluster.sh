#!/usr/bin/env bash
# Runs docker/compose.yaml: three sprawl-overlay containers forming a secured cluster.
#   compose-cluster.sh up       the image (built when missing), the cluster's certificates and the admin's
#                               password (made the first time; printed once), then the containers; waits
#                               until each node is ready and sees 3 healthy members
#   compose-cluster.sh down     stops the containers (each leaves gracefully) and removes them
#   compose-cluster.sh status   the containers and each node's /overlay/health/check
#   compose-cluster.sh stop I   stops node I's container (SIGTERM: it leaves, the others show it LEFT)
#   compose-cluster.sh exec I CMD...   runs CMD in node I's container
# Files under SPRAWL_COMPOSE_DIR (default target/compose): pki/ (CA and one certificate per node, readable by
# the containers' group 0 only), admin.password (0640). Node i: http://127.0.0.1:1008i, https://127.0.0.1:1044i.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=engine.sh
. "$HERE/engine.sh"
die() { echo "compose-cluster: $*" >&2; exit 1; }

export SPRAWL_COMPOSE_DIR=${SPRAWL_COMPOSE_DIR:-$ROOT/target/compose}
READY_TIMEOUT=${SPRAWL_READY_TIMEOUT:-300}
N=3

compose() {
  if [ "$ENGINE" = docker ]; then
    docker compose -p sprawl -f "$HERE/compose.yaml" "$@"
  else
    command -v podman-compose > /dev/null || engine_install podman-compose
    podman-compose -p sprawl -f "$HERE/compose.yaml" "$@"
  fi
}

# Certificates and the password, readable by the containers (uid 1001, group 0) and no one else.
ensure_files() {
  local i pki=$SPRAWL_COMPOSE_DIR/pki
  mkdir -p "$SPRAWL_COMPOSE_DIR"
  bash "$ROOT/server-config/cluster-pki.sh" ca "$pki/ca" sprawl-compose-ca || die "could not make the CA"
  for ((i = 0; i < N; i++)); do
    [ -f "$pki/node$i/tls.crt" ] || bash "$ROOT/server-config/cluster-pki.sh" node "$pki/ca" "$pki/node$i" "node$i" \
      || die "could not make node$i's certificate"
    chgrp -R 0 "$pki/node$i" && chmod 0750 "$pki/node$i" && chmod 0640 "$pki/node$i"/*
  done
  if [ ! -s "$SPRAWL_COMPOSE_DIR/admin.password" ]; then
    (umask 027 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$SPRAWL_COMPOSE_DIR/admin.password")
    chgrp 0 "$SPRAWL_COMPOSE_DIR/admin.password"
    echo "the API's admin user: admin, password $(cat "$SPRAWL_COMPOSE_DIR/admin.password") (shown once; kept in $SPRAWL_COMPOSE_DIR/admin.password)"
  fi
}

members_healthy() {
  curl -s --max-time 2 "http://127.0.0.1:$((10080 + $1))/overlay/health/membership" | grep -o '"state":"HEALTHY"' | wc -l
}

cmd_up() {
  local i ready deadline=$((SECONDS + READY_TIMEOUT))
  "$ENGINE" image inspect sprawl-overlay:latest > /dev/null 2>&1 || bash "$HERE/build-image.sh"
  ensure_files
  compose up -d > "$SPRAWL_COMPOSE_DIR/up.log" 2>&1 || { cat "$SPRAWL_COMPOSE_DIR/up.log" >&2; die "compose up failed"; }
  echo "waiting until $N nodes are ready and agree ..."
  while :; do
    ready=0
    for ((i = 0; i < N; i++)); do
      if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$((10080 + i))/health/ready")" = 200 ] \
          && [ "$(members_healthy "$i")" -eq "$N" ]; then
        ready=$((ready + 1))
      fi
    done
    [ "$ready" -eq "$N" ] && break
    [ "$SECONDS" -ge "$deadline" ] && die "after ${READY_TIMEOUT}s only $ready of $N nodes are ready and agree; see: $ENGINE logs sprawl-node0"
    sleep 1
  done
  for ((i = 0; i < N; i++)); do
    echo "node$i  http://127.0.0.1:$((10080 + i))/overlay/api/members  admin https://127.0.0.1:$((10443 + i))/overlay/api  logs: $ENGINE logs sprawl-node$i"
  done
}

cmd_down() {
  compose down > /dev/null 2>&1 || die "compose down failed"
  echo "stopped"
}

cmd_status() {
  local i
  compose ps
  for ((i = 0; i < N; i++)); do
    echo "node$i  $(curl -s --max-time 2 "http://127.0.0.1:$((10080 + i))/overlay/health/check" || echo unreachable)"
  done
}

node_index() { [[ "${1:-}" =~ ^[0-2]$ ]] || die "a node number 0-2 is needed, got '${1:-}'"; echo "$1"; }

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  stop) i=$(node_index "${2:-}") && "$ENGINE" stop -t 30 "sprawl-node$i" > /dev/null ;;
  exec) i=$(node_index "${2:-}") && shift 2 && "$ENGINE" exec "sprawl-node$i" "$@" ;;
  *) die "usage: $0 up | down | status | stop I | exec I CMD..." ;;
esac
