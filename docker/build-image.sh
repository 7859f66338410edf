#!/usr/bin/env bash
# Builds the sprawl-overlay image into the local engine (podman here, docker where one runs):
# sprawl-overlay:<project version> and sprawl-overlay:latest.
#   docker/build-image.sh
# Steps: the WAR and the Liberty runtime from Maven (built when the sources are newer); a minified copy of
# the runtime with only the features server.xml needs (server package --include=minify), staged with the
# WAR and server-config in target/image/context; the base pulled, or made here from Debian packages when it
# cannot be pulled (make-base.sh); the Dockerfile built on it.
#   SPRAWL_IMAGE_BASE   the base image (default eclipse-temurin:17-jre from Docker Hub)
#   SPRAWL_ENGINE       docker or podman (default: docker when its engine answers)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=engine.sh
. "$HERE/engine.sh"
die() { echo "build-image: $*" >&2; exit 1; }

DEFAULT_BASE=docker.io/library/eclipse-temurin:17-jre
LOCAL_BASE=localhost/sprawl-jre:17-bookworm
WLP=$ROOT/target/liberty/wlp
WAR=$ROOT/target/sprawl-overlay.war
WORK=$ROOT/target/image
VERSION=$(sed -n 's#^  <version>\(.*\)</version>#\1#p' "$ROOT/pom.xml" | head -1)
[ -n "$VERSION" ] || die "no project version in pom.xml"
started=$SECONDS

bash "$ROOT/server-config/build-if-needed.sh" || die "no WAR or Liberty runtime to package"

# The server as the image runs it, packaged with a runtime cut down to its features.
echo "packaging a minified Liberty for server.xml's features ..."
rm -rf "$WORK" && mkdir -p "$WORK/usr/servers/defaultServer/dropins" "$WORK/context"
cp "$ROOT/server-config/server.xml" "$ROOT/server-config/jvm.options" "$WORK/usr/servers/defaultServer/"
cp "$WAR" "$WORK/usr/servers/defaultServer/dropins/sprawl-overlay.war"
WLP_USER_DIR=$WORK/usr "$WLP/bin/server" package defaultServer --include=minify \
  --archive="$WORK/wlp-minified.zip" > "$WORK/package.log" 2>&1 || { cat "$WORK/package.log" >&2; die "server package failed"; }
command -v unzip > /dev/null || engine_install unzip
# unzip, not jar: the scripts' execute bits must survive.
unzip -q "$WORK/wlp-minified.zip" -d "$WORK/context" || die "could not unpack the minified runtime"
# No secret in the image: server package copies the keystore password 'server create' would write.
rm -f "$WORK/context/wlp/usr/servers/defaultServer/server.env"
cp "$HERE/entrypoint.sh" "$HERE/healthcheck.sh" "$WORK/context/"
chmod -R g=u "$WORK/context"

BASE=${SPRAWL_IMAGE_BASE:-}
if [ -z "$BASE" ]; then
  if "$ENGINE" image inspect "$DEFAULT_BASE" > /dev/null 2>&1 \
      || timeout 90 "$ENGINE" pull -q "$DEFAULT_BASE" > /dev/null 2>&1; then
    BASE=$DEFAULT_BASE
  else
    echo "cannot pull $DEFAULT_BASE (no registry reachable?): using $LOCAL_BASE, made from Debian packages"
    "$ENGINE" image inspect "$LOCAL_BASE" > /dev/null 2>&1 || bash "$HERE/make-base.sh" "$LOCAL_BASE" > /dev/null
    BASE=$LOCAL_BASE
  fi
fi

echo "building sprawl-overlay:$VERSION on $BASE with $ENGINE ..."
"$ENGINE" build -q --build-arg "BASE=$BASE" -f "$HERE/Dockerfile" \
  -t "sprawl-overlay:$VERSION" -t sprawl-overlay:latest "$WORK/context" > /dev/null || die "$ENGINE build failed"
size=$("$ENGINE" image inspect --format '{{.Size}}' "sprawl-overlay:$VERSION")
echo "built sprawl-overlay:$VERSION and :latest ($((size / 1000000)) MB, base $BASE) in $((SECONDS - started)) s"
