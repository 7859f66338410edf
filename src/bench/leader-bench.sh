#!/usr/bin/env bash
# Leader election on 9 real Liberty servers (see LeaderBench.java): leader crash, a third of the
# nodes with the leader, and (as root) a 5+4 partition and its heal, with every node's leader view
# sampled every 50 ms throughout.
#   src/bench/leader-bench.sh                5 repeats of each scenario
#   REPEATS=10 src/bench/leader-bench.sh
#
# As root, each node runs in its own network namespace (sprawl-lb-node{i}, address 10.77.{i}.2)
# joined by veth to a hub namespace (sprawl-lb-hub) that routes between them; the benchmark runs in
# the hub, and a partition is a set of blackhole policy rules there. Traffic never leaves these
# namespaces. They are removed at exit, after the servers are stopped. Without root the partition
# scenario is skipped and the nodes run on 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=9
HUB=sprawl-lb-hub
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/LeaderBench.java
# Build and install here, with the registries in reach: the namespaces have no network.
(cd "$ROOT" && mvn -B -q -DskipTests package liberty:install-server)

if [ "$(id -u)" -ne 0 ]; then
  echo "not root: no network namespaces, so no partition scenario"
  exec java -cp "$ROOT/target/bench-classes" LeaderBench "$ROOT" "${REPEATS:-5}"
fi

remove_namespaces() {
  local i
  for ((i = 0; i < N; i++)); do ip netns del "sprawl-lb-node$i" 2> /dev/null || true; done
  ip netns del "$HUB" 2> /dev/null || true
}
remove_namespaces
trap remove_namespaces EXIT

ip netns add "$HUB"
ip -n "$HUB" link set lo up
ip netns exec "$HUB" sysctl -qw net.ipv4.ip_forward=1
addresses=""
for ((i = 0; i < N; i++)); do
  ns=sprawl-lb-node$i
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "lb$i" netns "$ns" type veth peer name "lbh$i" netns "$HUB"
  ip -n "$ns" addr add "10.77.$i.2/24" dev "lb$i"
  ip -n "$ns" link set "lb$i" up
  ip -n "$ns" route add default via "10.77.$i.1"
  ip -n "$HUB" addr add "10.77.$i.1/24" dev "lbh$i"
  ip -n "$HUB" link set "lbh$i" up
  addresses+="10.77.$i.2 "
done

export SPRAWL_NODE_ADDRESSES="${addresses% }"
export SPRAWL_NETNS_PREFIX=sprawl-lb-node
ip netns exec "$HUB" java -cp "$ROOT/target/bench-classes" LeaderBench "$ROOT" "${REPEATS:-5}"
