#!/bin/bash
# The container's health check (compose): GET /health/ready on the node's own HTTP port, with bash alone
# (the image has no curl). Exit 0 when the node answers 200.
# The address as the entrypoint chose it (its export does not reach a health check's process).
address=${SPRAWL_BIND_ADDRESS:-$(hostname -I | awk '{print $1}')}
exec 3<> "/dev/tcp/$address/${SPRAWL_HTTP_PORT:-9080}" || exit 1
printf 'GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS=' ' read -r -t 5 _ status _ <&3
[ "$status" = 200 ]
