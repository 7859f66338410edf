#!/usr/bin/env bash
# A real DNS server for the DNS discovery tests: dnsmasq answering A records from a hosts file, as a
# Kubernetes headless service answers with its pods' addresses. Names under .test only (NXDOMAIN for the
# rest: no upstream). Answers carry a 1 s TTL; every query is logged, so a test sees who asked.
#
#   dns.sh start DIR ADDRESS PORT   serve DIR/hosts on ADDRESS:PORT (log DIR/dnsmasq.log, pid DIR/dnsmasq.pid)
#   dns.sh reload DIR               re-read DIR/hosts (SIGHUP), after the test edited it
#   dns.sh stop DIR
set -euo pipefail
die() { echo "dns: $*" >&2; exit 1; }

if ! command -v dnsmasq > /dev/null && [ ! -x /usr/sbin/dnsmasq ]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/../../../server-config/install-packages.sh" dnsmasq-base || exit 1
fi
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)

pid_of() { [ -f "$1/dnsmasq.pid" ] && cat "$1/dnsmasq.pid"; }

case "${1:-}" in
  start)
    dir=$2 address=$3 port=$4
    mkdir -p "$dir" && touch "$dir/hosts" && chmod 0644 "$dir/hosts"
    "$0" stop "$dir"
    "$DNSMASQ" --no-resolv --no-hosts --no-poll --local=/test/ --addn-hosts="$dir/hosts" \
      --listen-address="$address" --bind-interfaces --port="$port" --local-ttl=1 \
      --log-queries --log-facility="$dir/dnsmasq.log" --pid-file="$dir/dnsmasq.pid" \
      || die "dnsmasq did not start on $address:$port"
    ;;
  reload)
    pid=$(pid_of "$2") || die "no dnsmasq running for $2"
    kill -HUP "$pid"
    ;;
  stop)
    pid=$(pid_of "$2" || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null && grep -q dnsmasq "/proc/$pid/cmdline"; then
      kill "$pid"
    fi
    rm -f "$2/dnsmasq.pid"
    ;;
  *) die "usage: $0 start DIR ADDRESS PORT | reload DIR | stop DIR" ;;
esac
