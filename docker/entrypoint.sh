#!/bin/sh
# Starts the node in the foreground as the container's main process (Liberty's 'server run' execs java,
# so SIGTERM reaches the JVM and its shutdown hook makes the node leave gracefully).
set -eu

# The address the node binds and announces: SPRAWL_BIND_ADDRESS (Kubernetes gives the pod IP), or this
# container's first non-loopback address.
if [ -z "${SPRAWL_BIND_ADDRESS:-}" ]; then
  SPRAWL_BIND_ADDRESS=$(hostname -I 2> /dev/null | awk '{print $1}')
  [ -n "$SPRAWL_BIND_ADDRESS" ] || { echo "entrypoint: no address to bind; set SPRAWL_BIND_ADDRESS" >&2; exit 1; }
  export SPRAWL_BIND_ADDRESS
fi

# The password of Liberty's self-signed HTTPS keystore, made at each start (the keystore is too) unless
# given; not kept anywhere, so the image holds no secret and the root filesystem may be read-only.
if [ -z "${keystore_password:-}" ]; then
  keystore_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  export keystore_password
fi

exec /opt/ol/wlp/bin/server run defaultServer "$@"
