#!/usr/bin/env bash
# The pause tolerance curve on 9 real Liberty servers (see PauseBench.java): false FAILED verdicts for
# SIGSTOP pauses of 0.5 to 5 s and hang -> FAILED, for each candidate setting given.
#   src/bench/pause-bench.sh                                   the defaults, 3 repeats of each pause
#   REPEATS=5 src/bench/pause-bench.sh default SPRAWL_SUSPICION_MULTIPLIER=20
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -gt 0 ] || set -- default
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/FailureBench.java \
    "$ROOT"/src/bench/PauseBench.java
exec java -cp "$ROOT/target/bench-classes" PauseBench "$ROOT" "${REPEATS:-3}" "$@"
