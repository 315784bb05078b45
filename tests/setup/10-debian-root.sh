#!/usr/bin/env bash
# Builds and caches the Debian root filesystems the tests converge for real:
#   bookworm-minbase.tar  minbase (apt, dpkg, shadow tools): packages, users, keys, files, docker images
#   bookworm-systemd.tar  minbase + systemd as PID 1, for systemd-nspawn -b (services, end-to-end)
# Each is built once with mmdebstrap and kept under $COLABO_TEST_CACHE (default /var/cache/colabo-test);
# delete a tarball to rebuild it.
set -euo pipefail
cache=${COLABO_TEST_CACHE:-/var/cache/colabo-test}
mkdir -p "$cache"
build() {
  local name=$1; shift
  local out="$cache/$name.tar"
  [ -f "$out" ] && [ -s "$out" ] && return 0
  echo "setup: building $out with mmdebstrap"
  local tmp="$out.partial"
  rm -f "$tmp"
  mmdebstrap --quiet --format=tar --variant=minbase "$@" bookworm "$tmp" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "$tmp" "$out"
}
build bookworm-minbase
build bookworm-systemd --include=systemd,systemd-sysv,dbus,ca-certificates,iproute2

# bookworm-minbase-apt.tar: minbase with fresh package lists (apt-get update done) and the package
# module's update stamp, so package tests install at once instead of each downloading the lists.
# Rebuilt after a day: the mirror drops superseded security versions, and old lists would name them.
derive_apt() {
  local out="$cache/bookworm-minbase-apt.tar"
  [ -f "$out" ] && [ -s "$out" ] && [ "$out" -nt "$cache/bookworm-minbase.tar" ] \
    && [ -z "$(find "$out" -mmin +1440)" ] && return 0
  echo "setup: building $out (minbase + apt-get update)"
  local dir
  dir=$(mktemp -d /tmp/colabo-apt-root.XXXXXX)
  tar -C "$dir" -xf "$cache/bookworm-minbase.tar"
  chroot "$dir" apt-get update -qq
  mkdir -p "$dir/var/lib/apt/periodic"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$dir/var/lib/apt/periodic/colabo-update-success-stamp"
  tar -C "$dir" -cf "$out.partial" .
  rm -rf "$dir"
  mv "$out.partial" "$out"
}
derive_apt
