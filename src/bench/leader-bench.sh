#!/usr/bin/env bash
# Leader election on 9 real Liberty servers (see LeaderBench.java): leader crash, a third of the
# nodes with the leader, and (as root) a 5+4 partition and its heal, with every node's leader view
# sampled every 50 ms throughout.
#   src/bench/leader-bench.sh                5 repeats of each scenario
#   REPEATS=10 src/bench/leader-bench.sh
#   SCENARIOS=partition src/bench/leader-bench.sh     only the partition and heal (or crash, third)
#   SETTLE_S=0 src/bench/leader-bench.sh      no settling after a (re)start (20 s by default)
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

# The namespaces the tests use too (src/test/netns/netns.sh): node i at 10.77.i.2, a hub routing between them.
NETNS="$ROOT/src/test/netns/netns.sh"
trap 'bash "$NETNS" down sprawl-lb "$N"' EXIT
bash "$NETNS" up sprawl-lb "$N" 77
addresses=""
for ((i = 0; i < N; i++)); do addresses+="10.77.$i.2 "; done

export SPRAWL_NODE_ADDRESSES="${addresses% }"
export SPRAWL_NETNS_PREFIX=sprawl-lb-node
ip netns exec "$HUB" java -cp "$ROOT/target/bench-classes" LeaderBench "$ROOT" "${REPEATS:-5}"
