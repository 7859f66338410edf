#!/usr/bin/env bash
# Installs Debian packages a script of the project needs and this machine lacks (root only; CI runs as root):
#   install-packages.sh PACKAGE...
# apt-get install, and once more after apt-get update when the package lists are stale or missing; one line
# naming the packages when it cannot.
set -euo pipefail
name=install-packages
[ "$(id -u)" -eq 0 ] || { echo "$name: needs $* (as root: apt-get install $*)" >&2; exit 1; }
echo "$name: installing $* ..." >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get install -y -q "$@" || { apt-get update -q && apt-get install -y -q "$@"; }; } > /dev/null 2>&1 \
  || { echo "$name: could not install $* (apt-get install $*)" >&2; exit 1; }
