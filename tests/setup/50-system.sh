#!/usr/bin/env bash
# Prepares the end-to-end system test (tests/System.Tests, docs/system-test.md):
#   1. bookworm-cloudinit.tar: bookworm with systemd as PID 1, cloud-init, curl, openssl and
#      ca-certificates, for `systemd-nspawn -b` with a NoCloud seed. Built once with mmdebstrap under
#      $COLABO_TEST_CACHE (default /var/cache/colabo-test), rebuilt after a day; delete it to rebuild.
#      No package lists inside: cloud-init's `packages:` runs apt-get update, as on a fresh VM.
#   2. the .deb packages under test (packaging/build-debs.sh into artifacts/system-test/deb), built
#      when missing or older than a file under src/, packaging/ or proto/. The test applies the same
#      rule (Support/AgentPackages.cs), so running it alone after an edit rebuilds them too.
set -euo pipefail
cache=${COLABO_TEST_CACHE:-/var/cache/colabo-test}
mkdir -p "$cache"

build_root() {
  local out="$cache/bookworm-cloudinit.tar"
  if [ -s "$out" ] && [ -z "$(find "$out" -mmin +1440)" ]; then
    return 0
  fi
  echo "setup: building $out with mmdebstrap"
  local dir
  dir=$(mktemp -d /tmp/colabo-cloudinit-root.XXXXXX)
  mmdebstrap --quiet --variant=minbase \
    --include=systemd,systemd-sysv,dbus,ca-certificates,iproute2,cloud-init,curl,openssl \
    bookworm "$dir" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  # Only NoCloud: cloud-init must not probe metadata services on the host's network. No network
  # configuration: the container shares the host's network. No locale module: a minbase root has no
  # locales package (cloud images do), and generating en_US.UTF-8 would fail.
  mkdir -p "$dir/etc/cloud/cloud.cfg.d"
  printf 'datasource_list: [ NoCloud, None ]\nnetwork:\n  config: disabled\nlocale: false\n' \
    > "$dir/etc/cloud/cloud.cfg.d/90-colabo-test.cfg"
  tar -C "$dir" -cf "$out.partial" .
  rm -rf "$dir"
  mv "$out.partial" "$out"
}

build_debs() {
  local repo debs agent master
  repo=$(cd "$(dirname "$0")/../.." && pwd)
  debs="$repo/artifacts/system-test/deb"
  agent="$debs/colabo-agent_0.1.0_amd64.deb"
  master="$debs/colabo-master_0.1.0_amd64.deb"
  # The agent package is built first: newer than the master's means the master's build did not finish.
  if [ -s "$agent" ] && [ -s "$master" ] && ! [ "$agent" -nt "$master" ] \
     && [ -z "$(cd "$repo" && find src packaging proto -type f -newer "$agent" -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
    return 0
  fi
  echo "setup: building the .deb packages into $debs"
  DEB_COMPRESSION=gzip "$repo/packaging/build-debs.sh" "$debs" >/dev/null
}

build_root
build_debs
