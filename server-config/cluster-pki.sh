#!/usr/bin/env bash
# The cluster's certificates, for a local cluster or a test: a small CA and one certificate per node, as
# PEM in the layout a node reads from sprawl.tls.dir (tls.crt, tls.key, ca.crt, as a Kubernetes TLS Secret
# is mounted). Keys are EC P-256. Files are 0600, folders 0700.
#
#   cluster-pki.sh ca CA_DIR [NAME]                  a CA (10 years) in CA_DIR, unless one is there
#   cluster-pki.sh node CA_DIR NODE_DIR ID [DAYS]    NODE_DIR/tls.{crt,key} for node ID, signed by that CA,
#                                                    valid DAYS from now (default 825; 'expired': valid from
#                                                    30 days ago until yesterday, for tests); NODE_DIR/ca.crt
#                                                    = the CA's certificate if there is none yet
#   cluster-pki.sh trust NODE_DIR CA_DIR...          NODE_DIR/ca.crt = the certificates of these CAs
#
# Rotation (README, "Rotating the cluster's certificates"): trust old+new, node with the new CA, trust new.
set -euo pipefail
umask 077

die() { echo "cluster-pki: $*" >&2; exit 1; }
# A fresh machine (CI runs as root) may lack it: install it, as the project's scripts install their tools.
command -v openssl > /dev/null || bash "$(dirname "${BASH_SOURCE[0]}")/install-packages.sh" openssl || exit 1

cmd_ca() {
  local dir=$1 name=${2:-sprawl-cluster-ca}
  mkdir -p "$dir"
  [ -f "$dir/ca.crt" ] && [ -f "$dir/ca.key" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=$name" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2> "$dir/openssl.log" || die "could not make a CA in $dir (see $dir/openssl.log)"
  rm -f "$dir/openssl.log"
}

cmd_node() {
  local ca=$1 dir=$2 id=$3 days=${4:-825} ext
  [ -f "$ca/ca.key" ] || die "no CA in $ca (run: $0 ca $ca)"
  mkdir -p "$dir"
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$id" \
    -keyout "$dir/tls.key.new" -out "$dir/tls.csr" 2> "$dir/openssl.log" || { rm -f "$ext"; die "could not make a key for $id (see $dir/openssl.log)"; }
  if [ "$days" = expired ]; then
    sign_dated "$ca" "$dir" "$ext" "$(date -u -d '-30 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
  else
    openssl x509 -req -in "$dir/tls.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
      -days "$days" -extfile "$ext" -out "$dir/tls.crt.new" 2>> "$dir/openssl.log"
  fi || { rm -f "$ext"; die "could not make a certificate for $id in $dir (see $dir/openssl.log)"; }
  rm -f "$ext" "$dir/tls.csr" "$dir/openssl.log"
  # A node that reads between the two moves sees a key and a certificate that do not match: it keeps its
  # current ones and takes the pair at its next look, a second later.
  mv "$dir/tls.key.new" "$dir/tls.key"
  mv "$dir/tls.crt.new" "$dir/tls.crt"
  [ -f "$dir/ca.crt" ] || cp "$ca/ca.crt" "$dir/ca.crt"
}

cmd_trust() {
  local dir=$1 ca
  shift
  mkdir -p "$dir"
  : > "$dir/ca.crt.new"
  for ca in "$@"; do
    [ -f "$ca/ca.crt" ] || die "no CA in $ca"
    cat "$ca/ca.crt" >> "$dir/ca.crt.new"
  done
  mv "$dir/ca.crt.new" "$dir/ca.crt"
}

# Signs NODE_DIR/tls.csr with dates of its own (openssl x509 sets only "from now"): openssl ca, throwaway database.
sign_dated() {
  local ca=$1 dir=$2 ext=$3 from=$4 until=$5 db
  db=$(mktemp -d)
  touch "$db/index.txt"
  printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' \
    "$db" "$db" "$db" > "$db/ca.cnf"
  openssl rand -hex 8 > "$db/serial"
  openssl ca -batch -config "$db/ca.cnf" -cert "$ca/ca.crt" -keyfile "$ca/ca.key" -extfile "$ext" \
    -startdate "$from" -enddate "$until" -notext -in "$dir/tls.csr" -out "$dir/tls.crt.new" 2>> "$dir/openssl.log"
  local rc=$?
  rm -rf "$db"
  return $rc
}

case "${1:-}" in
  ca) [ $# -ge 2 ] || die "usage: $0 ca CA_DIR [NAME]"; cmd_ca "$2" "${3:-}" ;;
  node) [ $# -ge 4 ] || die "usage: $0 node CA_DIR NODE_DIR ID [DAYS]"; cmd_node "$2" "$3" "$4" "${5:-}" ;;
  trust) [ $# -ge 3 ] || die "usage: $0 trust NODE_DIR CA_DIR..."; shift; cmd_trust "$@" ;;
  *) die "usage: $0 ca CA_DIR [NAME] | node CA_DIR NODE_DIR ID [DAYS] | trust NODE_DIR CA_DIR..." ;;
esac
