#!/usr/bin/env bash
# Network namespaces for multi-process tests that cut nodes apart (root only; traffic stays inside them).
# Node i runs in namespace PREFIX-node{i} at 10.NET.i.2, joined by a veth pair to a hub namespace
# (PREFIX-hub) that routes between the nodes; a last veth joins the hub to this host's namespace
# (10.NET.250.1 here, .2 in the hub) so the test reaches every node's API. A cut is a firewall rule in
# the hub's FORWARD chain, so every link to and from that node goes through it.
#
#   netns.sh up PREFIX N NET        make the namespaces (replacing any left from an earlier run)
#   netns.sh down PREFIX N          remove them
#   netns.sh cut PREFIX I reject    node I's TCP refused: a TCP reset, as a REJECTing firewall answers
#   netns.sh cut PREFIX I drop      node I's packets dropped silently, as a DROPping firewall
#   netns.sh heal PREFIX I          remove node I's rules
set -euo pipefail

die() { echo "netns: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root to make network namespaces (CI runs as root)"
command -v ip > /dev/null || die "needs ip (Debian: iproute2)"
command -v iptables > /dev/null \
  || bash "$(dirname "${BASH_SOURCE[0]}")/../../../server-config/install-packages.sh" iptables || exit 1

hub() { echo "$1-hub"; }
# A short tag of the prefix for interface names (15 characters at most), distinct for distinct prefixes.
tag() { echo "v$(printf '%s' "$1" | cksum | awk '{print $1 % 100000}')"; }
node_addr() { echo "10.$1.$2.2"; }
# The node's address, from the hub's own link to it (so cut/heal need only the prefix and the node).
addr_of() { ip -n "$(hub "$1")" -4 -o addr show dev "$(tag "$1")h$2" | awk '{print $4}' | sed 's#\.1/24#.2#'; }

cmd_down() {
  local p=$1 n=$2 i
  for ((i = 0; i < n; i++)); do ip netns del "$p-node$i" 2> /dev/null || true; done
  ip netns del "$(hub "$p")" 2> /dev/null || true
  ip link del "$(tag "$p")r" 2> /dev/null || true
}

cmd_up() {
  local p=$1 n=$2 net=$3 i ns h s
  s=$(tag "$p")
  [[ "$net" =~ ^[0-9]+$ ]] && [ "$net" -le 255 ] || die "NET must be 0-255, got '$net'"
  cmd_down "$p" "$n"
  h=$(hub "$p")
  ip netns add "$h"
  ip -n "$h" link set lo up
  ip netns exec "$h" sysctl -qw net.ipv4.ip_forward=1
  for ((i = 0; i < n; i++)); do
    ns=$p-node$i
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "$s$i" netns "$ns" type veth peer name "${s}h$i" netns "$h"
    ip -n "$ns" addr add "$(node_addr "$net" "$i")/24" dev "$s$i"
    ip -n "$ns" link set "$s$i" up
    ip -n "$ns" route add default via "10.$net.$i.1"
    ip -n "$h" addr add "10.$net.$i.1/24" dev "${s}h$i"
    ip -n "$h" link set "${s}h$i" up
  done
  ip link add "${s}r" type veth peer name "${s}hr" netns "$h"
  ip addr add "10.$net.250.1/24" dev "${s}r"
  ip link set "${s}r" up
  ip -n "$h" addr add "10.$net.250.2/24" dev "${s}hr"
  ip -n "$h" link set "${s}hr" up
  ip route replace "10.$net.0.0/16" via "10.$net.250.2"
}

cmd_cut() {
  local p=$1 i=$2 how=$3 a h
  a=$(addr_of "$p" "$i")
  h=$(hub "$p")
  [ -n "$a" ] || die "no node $i under $p"
  case "$how" in
    reject)
      ip netns exec "$h" iptables -I FORWARD -d "$a" -p tcp -j REJECT --reject-with tcp-reset
      ip netns exec "$h" iptables -I FORWARD -s "$a" -p tcp -j REJECT --reject-with tcp-reset ;;
    drop)
      ip netns exec "$h" iptables -I FORWARD -d "$a" -j DROP
      ip netns exec "$h" iptables -I FORWARD -s "$a" -j DROP ;;
    *) die "cut how: reject or drop, got '$how'" ;;
  esac
}

cmd_heal() {
  local p=$1 i=$2 a h
  a=$(addr_of "$p" "$i")
  h=$(hub "$p")
  ip netns exec "$h" iptables -S FORWARD | grep -F -- "$a/32" | sed 's/^-A /-D /' | while read -r rule; do
    # shellcheck disable=SC2086
    ip netns exec "$h" iptables $rule
  done
}

case "${1:-}" in
  up) [ $# -eq 4 ] || die "usage: $0 up PREFIX N NET"; cmd_up "$2" "$3" "$4" ;;
  down) [ $# -eq 3 ] || die "usage: $0 down PREFIX N"; cmd_down "$2" "$3" ;;
  cut) [ $# -eq 4 ] || die "usage: $0 cut PREFIX I reject|drop"; cmd_cut "$2" "$3" "$4" ;;
  heal) [ $# -eq 3 ] || die "usage: $0 heal PREFIX I"; cmd_heal "$2" "$3" ;;
  *) die "usage: $0 up PREFIX N NET | down PREFIX N | cut PREFIX I reject|drop | heal PREFIX I" ;;
esac
