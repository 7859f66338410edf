#!/usr/bin/env bash
# Failure detection on 9 real Liberty servers (see FailureBench.java): crash, hang, a third at once,
# false positives of 1 s pauses, and the idle cost of probing (on versus off).
#   src/bench/failure-bench.sh                5 repeats of each scenario, 20 pauses
#   REPEATS=10 PAUSES=40 src/bench/failure-bench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/FailureBench.java
exec java -cp "$ROOT/target/bench-classes" FailureBench "$ROOT" "${REPEATS:-5}" "${PAUSES:-20}"
