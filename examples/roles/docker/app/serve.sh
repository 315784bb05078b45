#!/bin/sh
# Answers every connection on :8080 with a greeting; enough to show the container is up.
set -eu
while true; do
  printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n%s (version %s)\n' \
    "${APP_GREETING:-Hello}" "${APP_VERSION:-dev}" | busybox nc -l -p 8080 >/dev/null 2>&1 || sleep 1
done
