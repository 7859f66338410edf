#!/usr/bin/env bash
# Membership propagation and crash detection on real Liberty servers (see MembershipBench.java).
#   src/bench/membership-bench.sh             N = 3 and 9, 5 repeats each
#   REPEATS=10 src/bench/membership-bench.sh 5 at N = 5, 10 repeats
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(3 9)
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/MembershipBench.java
exec java -cp "$ROOT/target/bench-classes" MembershipBench "$ROOT" "${REPEATS:-5}" "${sizes[@]}"
