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
#   netns.sh split PREFIX "0 1 2" "3 4"   a partition: every packet between the two sides dropped
#   netns.sh oneway PREFIX I J      node I's packets to node J dropped: J does not hear I, I hears J
#   netns.sh loss PREFIX I PCT      PCT % of node I's packets, both ways, dropped at random
#   netns.sh loss-all PREFIX N PCT  PCT % of every packet between nodes 0..N-1 dropped at random (once per packet)
#   netns.sh heal-all PREFIX        remove every rule
# (No delay: this kernel has no netem.)
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

# iptables' statistic match takes a probability with at most a few decimals: PCT 10 -> 0.1000.
probability() { awk -v p="$1" 'BEGIN { if (p !~ /^[0-9]+$/ || p > 100) exit 1; printf "%.4f", p / 100 }' \
  || die "PCT must be a whole number 0-100, got '$1'"; }

cmd_split() {
  local p=$1 h a b i j
  h=$(hub "$p")
  for i in $2; do
    for j in $3; do
      a=$(addr_of "$p" "$i"); b=$(addr_of "$p" "$j")
      [ -n "$a" ] && [ -n "$b" ] || die "no node $i or $j under $p"
      ip netns exec "$h" iptables -I FORWARD -s "$a" -d "$b" -j DROP
      ip netns exec "$h" iptables -I FORWARD -s "$b" -d "$a" -j DROP
    done
  done
}

cmd_oneway() {
  local p=$1 a b
  a=$(addr_of "$p" "$2"); b=$(addr_of "$p" "$3")
  [ -n "$a" ] && [ -n "$b" ] || die "no node $2 or $3 under $p"
  ip netns exec "$(hub "$p")" iptables -I FORWARD -s "$a" -d "$b" -j DROP
}

cmd_loss() {
  local p=$1 a h pr
  a=$(addr_of "$p" "$2"); h=$(hub "$p"); pr=$(probability "$3")
  [ -n "$a" ] || die "no node $2 under $p"
  # Not on the link to this host: the test must still read the node's API.
  local host="${a%.*.*}.250.0/24"
  ip netns exec "$h" iptables -I FORWARD -s "$a" ! -d "$host" -m statistic --mode random --probability "$pr" -j DROP
  ip netns exec "$h" iptables -I FORWARD -d "$a" ! -s "$host" -m statistic --mode random --probability "$pr" -j DROP
}

cmd_loss_all() {
  local p=$1 n=$2 h pr i j a b
  h=$(hub "$p"); pr=$(probability "$3")
  # One rule per ordered pair of nodes: a packet meets one, so PCT is its loss (and the test's own API
  # traffic, to and from this host, is spared).
  for ((i = 0; i < n; i++)); do
    for ((j = 0; j < n; j++)); do
      [ "$i" -ne "$j" ] || continue
      a=$(addr_of "$p" "$i"); b=$(addr_of "$p" "$j")
      [ -n "$a" ] && [ -n "$b" ] || die "no node $i or $j under $p"
      ip netns exec "$h" iptables -I FORWARD -s "$a" -d "$b" -m statistic --mode random --probability "$pr" -j DROP
    done
  done
}

cmd_heal_all() {
  ip netns exec "$(hub "$1")" iptables -F FORWARD
}

case "${1:-}" in
  up) [ $# -eq 4 ] || die "usage: $0 up PREFIX N NET"; cmd_up "$2" "$3" "$4" ;;
  down) [ $# -eq 3 ] || die "usage: $0 down PREFIX N"; cmd_down "$2" "$3" ;;
  cut) [ $# -eq 4 ] || die "usage: $0 cut PREFIX I reject|drop"; cmd_cut "$2" "$3" "$4" ;;
  heal) [ $# -eq 3 ] || die "usage: $0 heal PREFIX I"; cmd_heal "$2" "$3" ;;
  split) [ $# -eq 4 ] || die "usage: $0 split PREFIX \"I ...\" \"J ...\""; cmd_split "$2" "$3" "$4" ;;
  oneway) [ $# -eq 4 ] || die "usage: $0 oneway PREFIX I J"; cmd_oneway "$2" "$3" "$4" ;;
  loss) [ $# -eq 4 ] || die "usage: $0 loss PREFIX I PCT"; cmd_loss "$2" "$3" "$4" ;;
  loss-all) [ $# -eq 4 ] || die "usage: $0 loss-all PREFIX N PCT"; cmd_loss_all "$2" "$3" "$4" ;;
  heal-all) [ $# -eq 2 ] || die "usage: $0 heal-all PREFIX"; cmd_heal_all "$2" ;;
  *) die "usage: $0 up PREFIX N NET | down PREFIX N | cut PREFIX I reject|drop | heal PREFIX I | split PREFIX A B | oneway PREFIX I J | loss PREFIX I PCT | loss-all PREFIX N PCT | heal-all PREFIX" ;;
esac
