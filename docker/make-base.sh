#!/usr/bin/env bash
# Makes a local base image for the Dockerfile from Debian's packages, for a machine that cannot pull one:
# Debian bookworm (minbase) with OpenJDK 17's headless JRE, imported into the engine as IMAGE.
#   docker/make-base.sh [IMAGE]       default localhost/sprawl-jre:17-bookworm
# Needs root and mmdebstrap (installed when missing); packages come from this host's apt sources.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${1:-localhost/sprawl-jre:17-bookworm}
# shellcheck source=engine.sh
. "$HERE/engine.sh"
command -v mmdebstrap > /dev/null || engine_install mmdebstrap
SOURCES=$(ls /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2> /dev/null | head -1 || true)
[ -n "$SOURCES" ] || engine_die "no apt sources on this host to build the base from"
TAR=$(mktemp --suffix=.tar)
trap 'rm -f "$TAR"' EXIT
echo "making $IMAGE from Debian packages (about 2 minutes) ..." >&2
# Documentation, manuals and translations left out (~50 MB; the manuals stay: the JRE's alternatives link one); the copyright files stay.
mmdebstrap --quiet --variant=minbase \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' --include=openjdk-17-jre-headless,ca-certificates,hostname \
  bookworm "$TAR" "$SOURCES" > /dev/null || engine_die "mmdebstrap failed"
# JAVA_HOME as the official JRE images set it: Liberty reads its release file to add the JVM options Java 9+ needs.
"$ENGINE" import --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)" \
  --change 'CMD ["/bin/bash"]' "$TAR" "$IMAGE" > /dev/null || engine_die "could not import $TAR as $IMAGE"
echo "$IMAGE"
