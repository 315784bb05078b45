#!/usr/bin/env bash
# Makes the Docker daemon the docker_* module tests drive available, and the base image they run:
#   - starts Debian's dockerd (docker.io) when nothing answers on /var/run/docker.sock;
#   - waits (bounded) until the socket answers /_ping;
#   - imports colabo-test/bookworm:latest from the cached minbase root tarball when missing.
# Idempotent and fast when already done (one ping, one image inspect).
set -euo pipefail
cache=${COLABO_TEST_CACHE:-/var/cache/colabo-test}
sock=/var/run/docker.sock
image=colabo-test/bookworm:latest
tarball="$cache/bookworm-minbase.tar"

ping() { docker -H "unix://$sock" version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

if ! ping; then
  echo "setup: starting dockerd"
  mkdir -p /var/log
  # setsid + nohup: the daemon outlives this script and the test run that started it.
  setsid nohup dockerd --host "unix://$sock" >/var/log/colabo-test-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 300); do
    ping && break
    sleep 0.1
  done
  if ! ping; then
    echo "setup: dockerd did not answer on $sock within 30 s; see /var/log/colabo-test-dockerd.log" >&2
    tail -n 20 /var/log/colabo-test-dockerd.log >&2 || true
    exit 1
  fi
fi

if ! docker image inspect "$image" >/dev/null 2>&1; then
  if [ ! -s "$tarball" ]; then
    echo "setup: $tarball is missing (tests/setup/10-debian-root.sh builds it)" >&2
    exit 1
  fi
  echo "setup: importing $image from $tarball"
  docker import --change 'CMD ["/bin/bash"]' "$tarball" "$image" >/dev/null
fi
