# Sourced by the container scripts: picks the container engine and makes it usable.
#   ENGINE   docker when a Docker engine answers, podman otherwise (SPRAWL_ENGINE picks one)
# Podman and runc are installed with apt-get when missing (root; CI runs as root).
engine_die() { echo "${0##*/}: $*" >&2; exit 1; }

engine_install() {
  bash "$(dirname "${BASH_SOURCE[0]}")/../server-config/install-packages.sh" "$@" || exit 1
}

if [ -n "${SPRAWL_ENGINE:-}" ]; then
  ENGINE=$SPRAWL_ENGINE
elif command -v docker > /dev/null && docker info > /dev/null 2>&1; then
  ENGINE=docker
else
  ENGINE=podman
fi
case "$ENGINE" in
  docker) ;;
  podman)
    missing=()
    for tool in podman runc; do command -v "$tool" > /dev/null || missing+=("$tool"); done
    [ "${#missing[@]}" -eq 0 ] || engine_install "${missing[@]}"
    export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf}
    ;;
  *) engine_die "SPRAWL_ENGINE must be docker or podman, got '$ENGINE'" ;;
esac
