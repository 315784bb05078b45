#!/usr/bin/env bash
# Prepares the end-to-end system test (tests/System.Tests, docs/system-test.md):
#   bookworm-cloudinit.tar  bookworm with systemd as PID 1, cloud-init, curl, openssl and ca-certificates,
#                           fresh package lists (apt-get update done), for `systemd-nspawn -b` with a
#                           NoCloud seed. Built once with mmdebstrap under $COLABO_TEST_CACHE (default
#                           /var/cache/colabo-test); rebuilt after a day (the mirror drops superseded
#                           security versions, and old lists would name them). Delete it to rebuild.
# The .deb packages are built by the test itself (packaging/build-debs.sh), so they always match the tree.
set -euo pipefail
cache=${COLABO_TEST_CACHE:-/var/cache/colabo-test}
mkdir -p "$cache"
out="$cache/bookworm-cloudinit.tar"
if [ -s "$out" ] && [ -z "$(find "$out" -mmin +1440)" ]; then
  exit 0
fi
echo "setup: building $out with mmdebstrap"
dir=$(mktemp -d /tmp/colabo-cloudinit-root.XXXXXX)
trap 'rm -rf "$dir"; rm -f "$out.partial"' EXIT
mmdebstrap --quiet --variant=minbase \
  --include=systemd,systemd-sysv,dbus,ca-certificates,iproute2,cloud-init,curl,openssl \
  bookworm "$dir" \
  "deb http://deb.debian.org/debian bookworm main" \
  "deb http://deb.debian.org/debian bookworm-updates main" \
  "deb http://deb.debian.org/debian-security bookworm-security main"
# mmdebstrap leaves the lists in place; keep them so the agent's apt installs start at once.
# Only NoCloud: cloud-init must not probe cloud metadata services on the host's network; and it must
# not write network configuration: the container shares the host's network; and a minbase root has no
# locales package, so its locale module would fail (cloud images carry locales).
mkdir -p "$dir/etc/cloud/cloud.cfg.d"
printf 'datasource_list: [ NoCloud, None ]\nnetwork:\n  config: disabled\nlocale: false\n' > "$dir/etc/cloud/cloud.cfg.d/90-colabo-test.cfg"
tar -C "$dir" -cf "$out.partial" .
mv "$out.partial" "$out"
