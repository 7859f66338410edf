#!/usr/bin/env bash
# The cost of observing (see MetricsBench.java and SamplingBench.java): CPU per node with the metrics
# sampled every second versus off, /metrics scrape time and size on 9 real Liberty servers, one OSHI
# sample's time, and the heap of full histories.
#   src/bench/metrics-bench.sh                3 CPU windows of 20 s per setting, 200 samples, 10 custom metrics
#   WINDOWS=5 SAMPLES=500 CUSTOM=100 src/bench/metrics-bench.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
(cd "$ROOT" && mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt)
CP="$ROOT/target/classes:$(cat "$ROOT/target/bench-classpath.txt")"
javac -cp "$CP" -d "$ROOT/target/bench-classes" "$ROOT"/src/bench/*.java
java -cp "$ROOT/target/bench-classes:$CP" SamplingBench "${SAMPLES:-200}" "${CUSTOM:-10}"
exec java -cp "$ROOT/target/bench-classes" MetricsBench "$ROOT" "${WINDOWS:-3}"
