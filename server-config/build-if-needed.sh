#!/usr/bin/env bash
# The WAR (built when a source or the pom is newer) and the Open Liberty runtime (installed the first time,
# ~350 MB) that the local cluster and the image are made of.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WAR=$ROOT/target/sprawl-overlay.war
if [ ! -f "$WAR" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$WAR" -print -quit)" ]; then
  echo "building the WAR ..."
  (cd "$ROOT" && mvn -B -q -DskipTests package) || { echo "the build failed" >&2; exit 1; }
fi
if [ ! -x "$ROOT/target/liberty/wlp/bin/server" ]; then
  echo "installing Open Liberty (the first time downloads ~350 MB) ..."
  (cd "$ROOT" && mvn -B -q liberty:install-server) || { echo "installing Open Liberty failed" >&2; exit 1; }
fi
