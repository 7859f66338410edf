#!/usr/bin/env bash
# Churn soak on 7 real Liberty servers (see ChurnSoak.java): random kills, pauses, restarts, joins and
# leaves for SOAK_MINUTES (30 by default), then heap, threads and history against the warm-up, agreement,
# and every FAILED in every history matched against a fault.
#   src/bench/churn-soak.sh                   30 minutes
#   SOAK_MINUTES=10 SEED=42 src/bench/churn-soak.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
javac -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/Bench.java "$ROOT"/src/bench/ChurnSoak.java
exec java -cp "$ROOT/target/bench-classes" ChurnSoak "$ROOT" "${SOAK_MINUTES:-30}" ${SEED:+"$SEED"}
