#!/usr/bin/env bash
# What securing the cluster costs: 9 real Liberty servers plaintext, then with mutual TLS, the same
# figures for each in one run (see SecurityBench.java): propagation, crash and hang detection, probe
# RTT, idle CPU and bytes per second.
#   src/bench/security-bench.sh               5 repeats of each scenario
#   REPEATS=3 src/bench/security-bench.sh
#   src/bench/security-bench.sh idle         only the idle cost, plaintext and TLS alternating REPEATS times
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/FailureBench.java \
  "$ROOT"/src/bench/MembershipBench.java "$ROOT"/src/bench/SecurityBench.java
exec java -cp "$ROOT/target/bench-classes" SecurityBench "$ROOT" "${REPEATS:-5}" "$@"
